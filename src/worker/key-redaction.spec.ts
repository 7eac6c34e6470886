import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { redactFiles, redactor } from './key-redaction';

describe('key redaction', () => {
  it('masks every occurrence of the key, and has nothing to do without a key worth masking', () => {
    const r = redactor('sk-secret-1')!;
    expect(r('Authorization: Bearer sk-secret-1, again sk-secret-1')).toBe('Authorization: Bearer ***, again ***');
    expect(r('nothing here')).toBe('nothing here');
    // A key of a few characters would mask ordinary text everywhere: none is kept out then.
    expect(redactor('abc')).toBeUndefined();
    expect(redactor(undefined)).toBeUndefined();
  });

  it('rewrites text output files that hold the key and leaves binary and missing files alone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redact-'));
    const text = path.join(dir, 'results.json');
    const binary = path.join(dir, 'details.parquet');
    fs.writeFileSync(text, '{"model_args": "api_key=sk-secret-1"}');
    const bin = Buffer.concat([Buffer.from('PAR1\0'), Buffer.from('sk-secret-1')]);
    fs.writeFileSync(binary, bin);
    redactFiles([text, binary, path.join(dir, 'gone.txt')], redactor('sk-secret-1')!);
    expect(fs.readFileSync(text, 'utf8')).toBe('{"model_args": "api_key=***"}');
    expect(fs.readFileSync(binary).equals(bin)).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });
});
