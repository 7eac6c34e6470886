// The last lines of a job's run logs, kept scrolled to the end unless the user scrolled up.
import { useEffect, useRef } from 'preact/hooks';

export function LogTail({ lines, live }: { lines: string[]; live: boolean }) {
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines]);
  const onScroll = () => {
    const el = box.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };
  return (
    <div>
      <div class="muted small">{live ? 'live' : 'last lines'} · {lines.length} lines</div>
      <pre class="log" ref={box} onScroll={onScroll} data-testid="log-tail">
        {lines.length ? lines.join('\n') : 'No log lines yet.'}
      </pre>
    </div>
  );
}
