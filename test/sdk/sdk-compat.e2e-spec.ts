import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pythonEnv, venvBin } from '../support/python';
import { EvalHubService, ROOT } from '../support/service';

interface CheckResult {
  id: string;
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * The official Python SDK (eval-hub-sdk from PyPI, unchanged) against our server: its client,
 * its CLI and an adapter built on its FrameworkAdapter + DefaultCallbacks, run by our local
 * runtime. Plan items A-D of the compatibility reference; each check is reported separately.
 */
const CLI_TOKEN = 'cli-token-for-the-compat-tenant';

describe.each([
  ['local mode', {}, undefined],
  ['cluster mode with authentication', { TENANCY_MODE: 'cluster' }, 'compat'],
])('eval-hub-sdk compatibility (plan A-D), %s', (_mode, env: Record<string, string>, tenant: string | undefined) => {
  // The suite is about the API and the adapter protocol: the few checks that submit system
  // benchmarks (lm-eval, Lighteval) cancel them at once, and the backends have suites of their own.
  const svc = new EvalHubService(
    { MAX_CONCURRENT_EVALUATIONS: '4', ...env },
    tenant ? { tokens: [{ token: CLI_TOKEN, user: 'cli', tenants: [tenant], role: 'admin' }] } : {},
  );
  let report: CheckResult[] = [];
  let output = '';

  beforeAll(async () => {
    await svc.start();
    const reportPath = path.join(svc.dataDir, 'sdk-report.json');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-cli-home-'));
    const adapterCmd = `${venvBin('python')} ${path.join(ROOT, 'test', 'compat', 'sdk_adapter.py')}`;
    const auth = tenant ? ['--token', svc.adminToken!, '--tenant', tenant, '--cli-token', CLI_TOKEN] : [];
    const code = await new Promise<number>((resolve) => {
      const child = spawn(
        venvBin('python'),
        [path.join(ROOT, 'test', 'compat', 'sdk_compat.py'), '--base-url', svc.baseUrl, '--adapter-cmd', adapterCmd, '--data-dir', svc.dataDir, '--report', reportPath, ...auth],
        { env: pythonEnv({ HOME: home, EVALHUB_TEST_HOME: home }) },
      );
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('close', (c) => resolve(c ?? 1));
    });
    if (fs.existsSync(reportPath)) report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
    if (report.length === 0) throw new Error(`the SDK suite produced no report (exit ${code}):\n${output}`);
  }, 600000);
  afterAll(() => svc.stop());

  const ids = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'B7', 'B8', 'C9', 'C10', 'C11', 'C12', 'C13', 'C14', 'C15', 'D16-D19', 'D20', 'D21', 'D22', 'CLI'];
  it.each(ids)('%s', (id) => {
    const r = report.find((x) => x.id === id);
    expect(r).toBeDefined();
    expect({ id, ok: r!.ok, detail: r!.ok ? '' : r!.detail }).toEqual({ id, ok: true, detail: '' });
  });
});
