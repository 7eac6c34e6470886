// Number, time and size formatting shared by every page (one place, so tables agree).

export function fmtNumber(v: unknown, digits = 4): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    const abs = Math.abs(v);
    // Small scores keep significant digits; large rates do not need four decimals.
    return abs >= 1000 ? v.toFixed(1) : abs >= 1 ? v.toFixed(Math.min(digits, 3)) : v.toPrecision(digits).replace(/0+$/, '').replace(/\.$/, '');
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function fmtSigned(v: number, digits = 4): string {
  const s = fmtNumber(v, digits);
  return v > 0 ? `+${s}` : s;
}

export function fmtPercent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Local date and time, or "—". */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** "3 min ago" style, for lists. */
export function fmtAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = (now - new Date(iso).getTime()) / 1000;
  if (!Number.isFinite(s)) return iso;
  if (s < 5) return 'just now';
  if (s < 60) return `${Math.round(s)}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** A 95% interval as "[low, high]", three significant digits each (enough to read an interval). */
export function fmtInterval(ci: readonly [number, number], digits = 3): string {
  return `[${fmtNumber(ci[0], digits)}, ${fmtNumber(ci[1], digits)}]`;
}

/** A p-value: two significant digits, "< 0.001" below that. */
export function fmtP(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  if (p < 0.001) return '< 0.001';
  return String(Number(p.toPrecision(2)));
}
