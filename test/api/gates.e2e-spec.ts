import { spawn } from 'child_process';
import * as path from 'path';
import { EvalHubService, ROOT } from '../support/service';

function cli(svc: EvalHubService, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args], { env: { ...process.env, EVALHUB_URL: svc.baseUrl, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('release gates and the evalhub CLI', () => {
  const svc = new EvalHubService();
  let provider: string;
  beforeAll(async () => {
    await svc.start();
    provider = await svc.createTestProvider();
  });
  afterAll(() => svc.stop());

  const run = async (acc: number, stderr: number) => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: `acc ${acc}`, model: { url: 'http://m/v1', name: 'gated-model' }, benchmarks: [{ id: 'alpha', provider_id: provider, parameters: { metrics: { acc, acc_stderr: stderr } } }] });
    expect(res.status).toBe(202);
    return svc.waitForState(res.body.resource.id, ['completed'], 30000);
  };
  const newGate = async (rules: object[]) => {
    const res = await svc.request('POST', '/api/v1/evaluations/gates', { name: 'release', description: 'what must hold before a release', rules });
    expect(res.status).toBe(201);
    return res.body.resource.id as string;
  };
  const alpha = () => ({ provider_id: provider, id: 'alpha' });

  it('0.55 ± 0.08 against 0.5: the test is inconclusive, the gate INCONCLUSIVE, the CLI exits 2; clear cases exit 0 and 1', async () => {
    const job = await run(0.55, 0.04);
    const r = job.results.benchmarks[0];
    expect(r.statistics.acc).toMatchObject({ stderr: 0.04, method: 'backend_stderr' });
    expect(r.statistics.acc.ci95[0]).toBeCloseTo(0.55 - 1.96 * 0.04, 2);
    expect(r.test).toMatchObject({ pass: true, verdict: 'inconclusive' });

    const gate = await newGate([{ benchmark: alpha(), min_score: 0.5 }]);
    const evaluation = await svc.request('GET', `/api/v1/evaluations/jobs/${job.resource.id}/gate/${gate}`);
    expect(evaluation.body).toMatchObject({ decision: 'INCONCLUSIVE', rules: [{ decision: 'INCONCLUSIVE', reason: expect.stringContaining('more samples') }] });
    const inconclusive = await cli(svc, ['gate', job.resource.id, gate]);
    expect([inconclusive.code, inconclusive.out]).toEqual([2, expect.stringContaining('INCONCLUSIVE')]);

    expect((await cli(svc, ['gate', job.resource.id, await newGate([{ benchmark: alpha(), min_score: 0.4 }])])).code).toBe(0);
    const nogo = await cli(svc, ['gate', job.resource.id, await newGate([{ benchmark: alpha(), min_score: 0.4 }, { benchmark: alpha(), min_score: 0.7 }])]);
    expect([nogo.code, nogo.out]).toEqual([1, expect.stringMatching(/^NO-GO/)]);
  });

  it('a regression rule compares with the latest passing job of the same model', async () => {
    const base = await run(0.8, 0.01);
    const worse = await run(0.6, 0.01);
    const gate = await newGate([{ benchmark: alpha(), max_regression: 0.05 }]);
    const e = (await svc.request('GET', `/api/v1/evaluations/jobs/${worse.resource.id}/gate/${gate}`)).body;
    expect(e.decision).toBe('NO-GO');
    expect(e.rules[0].reason).toContain(`against job ${base.resource.id}`);
    const pinned = await newGate([{ benchmark: alpha(), max_regression: 0.3, baseline_job_id: base.resource.id }]);
    expect((await svc.request('GET', `/api/v1/evaluations/jobs/${worse.resource.id}/gate/${pinned}`)).body.decision).toBe('GO');
  });

  it('gates are per tenant, kept as written, and refused with the reason when they cannot be evaluated', async () => {
    const gate = await newGate([{ benchmark: alpha(), min_score: 0.5 }]);
    expect((await svc.request('GET', `/api/v1/evaluations/gates/${gate}`)).body).toMatchObject({ name: 'release', rules: [{ benchmark: alpha(), min_score: 0.5 }] });
    expect((await svc.request('GET', `/api/v1/evaluations/gates/${gate}`, undefined, { 'X-Tenant': 'team-b' })).status).toBe(404);
    expect((await svc.request('GET', '/api/v1/evaluations/gates', undefined, { 'X-Tenant': 'team-b' })).body.items).toEqual([]);
    const bad = await svc.request('POST', '/api/v1/evaluations/gates', { name: 'g', rules: [{ min_score: 0.5, max_score: 0.9 }] });
    expect([bad.status, bad.body.message_code, bad.body.message]).toEqual([400, 'request_validation_failed', expect.stringContaining('exactly one of')]);
    expect((await svc.request('POST', '/api/v1/evaluations/gates', { name: 'g', rules: [] })).status).toBe(400);
    const replaced = await svc.request('PUT', `/api/v1/evaluations/gates/${gate}`, { name: 'release v2', rules: [{ min_score: 0.6 }] });
    expect(replaced.body).toMatchObject({ name: 'release v2', resource: { id: gate } });
    expect((await svc.request('DELETE', `/api/v1/evaluations/gates/${gate}`)).status).toBe(204);
    expect((await svc.request('GET', `/api/v1/evaluations/gates/${gate}`)).status).toBe(404);
  });

  it('evalhub watch follows a job to its end; bad usage and an unreachable API have their own exit codes', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'watched', model: { url: 'http://m/v1', name: 'm' }, benchmarks: [{ id: 'alpha', provider_id: provider, parameters: { delay_ms: 1000 } }] });
    const watched = await cli(svc, ['watch', res.body.resource.id]);
    expect(watched.code).toBe(0);
    // Without a terminal: one line per change, ending with the completed state, then the results table.
    expect(watched.out).toMatch(/^completed\s+100%/m);
    expect(watched.out).toMatch(/^alpha\s+\S+\s+completed\s+\S+\s+[\d.]+\s+[\d.]+\s+PASS/m);
    expect((await cli(svc, ['frobnicate'])).code).toBe(64);
    const down = await cli(svc, ['gate', 'x', 'y'], { EVALHUB_URL: 'http://127.0.0.1:9' });
    expect([down.code, down.out]).toEqual([3, expect.stringContaining('not reachable')]);
  });
});
