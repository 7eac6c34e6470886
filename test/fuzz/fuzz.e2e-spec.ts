import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EvalHubService, ROOT } from '../support/service';

/**
 * Schemathesis (from PyPI) against the running service's own /openapi.json, every check on:
 * no 5xx, every answer as documented (status, content type, body schema), invalid input refused
 * and valid input accepted (test/fuzz/schemathesis.toml says which business-rule 4xx count as
 * acceptance), 405 for methods a path does not have. Deterministic and bounded: 60 cases per
 * operation and phase, about 4,000 requests, well under a minute here.
 */
describe('API fuzzing with schemathesis', () => {
  const svc = new EvalHubService();
  beforeAll(() => svc.start({ worker: false }));
  afterAll(() => svc.stop());

  it('finds no server error, no schema violation and no undocumented answer', async () => {
    const venv = fs.readFileSync(path.join(ROOT, '.data', 'fuzz-venv-path'), 'utf8').trim();
    let out = '';
    const code = await new Promise<number>((resolve) => {
      const st = spawn(
        path.join(venv, 'bin', 'st'),
        // The event streams stay open by design (until the job ends, or for ever for the all-jobs
        // one): test/api/stream.e2e-spec.ts covers them; a fuzzer would wait on each one.
        ['--config-file', path.join(ROOT, 'test', 'fuzz', 'schemathesis.toml'), 'run', `${svc.baseUrl}/openapi.json`, '--checks', 'all', '--max-examples', '60', '--generation-deterministic', '--no-color', '--exclude-path-regex', '/stream$'],
        { cwd: svc.dataDir },
      );
      st.stdout.on('data', (d) => (out += d));
      st.stderr.on('data', (d) => (out += d));
      st.on('close', (c) => resolve(c ?? 1));
    });
    const summary = /(\d+) generated, (\d+) passed/.exec(out);
    // On failure, the report names each finding with a curl line to reproduce it.
    expect({ code, summary: summary?.[0], report: code === 0 ? '' : out.slice(0, 20000) }).toEqual({ code: 0, summary: summary?.[0], report: '' });
    expect(Number(summary![1])).toBeGreaterThan(2000);
    expect(summary![1]).toBe(summary![2]);
  }, 600000);
});
