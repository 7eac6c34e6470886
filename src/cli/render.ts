// How the CLI draws: colours (off without a terminal or with NO_COLOR), tables, CSV and progress
// bars. Plain functions over strings, so tests can check them without a terminal.

export interface Style {
  color: boolean;
}

const CODES = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(style: Style, colour: Colour, text: string): string {
  return style.color ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

/** Visible width (colour codes do not count). */
export function width(s: string): number {
  // eslint-disable-next-line no-control-regex -- the ANSI colour codes paint() adds
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - width(s)));
}

/** A table with a header row; columns as wide as their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function csv(header: string[], rows: (string | number | boolean | undefined | null)[][]): string {
  const cell = (v: string | number | boolean | undefined | null) => {
    const s = v === undefined || v === null ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n');
}

/** `[#########.........]  45%` for a share from 0 to 1. */
export function bar(share: number, cells = 24): string {
  const s = Math.max(0, Math.min(1, Number.isFinite(share) ? share : 0));
  const done = Math.round(s * cells);
  return `[${'#'.repeat(done)}${'.'.repeat(cells - done)}] ${String(Math.round(s * 100)).padStart(3)}%`;
}

export function stateColour(state: string): Colour {
  if (state === 'completed') return 'green';
  if (state === 'failed' || state === 'cancelled') return 'red';
  if (state === 'partially_failed') return 'yellow';
  return 'cyan';
}

export function formatNumber(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
