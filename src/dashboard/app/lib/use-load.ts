// Loads data for a page and reloads it on demand or when its inputs change; a late answer for
// inputs that changed meanwhile is dropped (its AbortSignal fired).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload(): void;
  set(data: T | ((old: T | undefined) => T)): void;
}

export function useLoad<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    fnRef.current(ctl.signal).then(
      (data) => !ctl.signal.aborted && setState({ data, loading: false }),
      (error: unknown) => !ctl.signal.aborted && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => ctl.abort();
    // Re-run when the caller's inputs change (deps) or on reload() (tick).
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((d: T | ((old: T | undefined) => T)) => setState((s) => ({ ...s, data: typeof d === 'function' ? (d as (o: T | undefined) => T)(s.data) : d })), []);
  return { ...state, reload, set };
}
