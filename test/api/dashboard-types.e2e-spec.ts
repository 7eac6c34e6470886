import { spawn } from 'child_process';
import * as path from 'path';
import { EvalHubService, ROOT } from '../support/service';

/**
 * The dashboard's and the SDK's API types (src/dashboard/app/api-types.ts, src/sdk/models/api-types.ts) are generated from the running
 * service's /openapi.json; regenerating them must give the committed file, so the browser app
 * cannot drift from the API it calls. Fix a failure with `npm run build && npm run dashboard:types`.
 */
describe('dashboard API types', () => {
  const svc = new EvalHubService();

  beforeAll(() => svc.start({ worker: false }));
  afterAll(() => svc.stop());

  it('match the OpenAPI document the service serves', async () => {
    // Asynchronous: the script reads from the service while this process waits.
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'dashboard-types.js'), '--check', '--url', svc.baseUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (c) => resolve({ code: c, output: out }));
    });
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('src/dashboard/app/api-types.ts matches') });
    expect(output).toContain('src/sdk/models/api-types.ts matches');
  });
});
