import * as fs from 'fs';

/** Keeps the model's API key (the value its secret_ref resolved to) out of logs and results; none without a key. */
export function redactor(key: string | undefined): ((s: string) => string) | undefined {
  if (!key || key.length < 4) return undefined;
  return (s) => (s.includes(key) ? s.split(key).join('***') : s);
}

const MAX_REDACTED_FILE = 64 * 1024 * 1024;

/** Masks the key inside a benchmark's text output files (binary files have NUL bytes: left as they are). */
export function redactFiles(files: string[], redact: (s: string) => string): void {
  for (const file of files) {
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > MAX_REDACTED_FILE) continue;
      const buf = fs.readFileSync(file);
      if (buf.includes(0)) continue;
      const text = buf.toString('utf8');
      const masked = redact(text);
      if (masked !== text) fs.writeFileSync(file, masked);
    } catch {
      /* a file that vanished has nothing to mask */
    }
  }
}
