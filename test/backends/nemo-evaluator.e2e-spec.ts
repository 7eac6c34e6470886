import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backendVenv, requireBackendEnv } from '../support/backends';
import { FakeModel, startFakeModel } from '../support/fake-model';
import { freePort, waitFor } from '../support/ports';
import { EvalHubService, ROOT } from '../support/service';

// The nemo_evaluator executor against EvalHub's evaluator container (python/evaluator_server)
// running the real NeMo Evaluator 0.2.8 on BYOB benchmarks with local data, and the fake model.

const TOKEN = 'evaluator-token-7';
const MODEL_KEY = 'sk-nemo-model-key-99';

interface Evaluator {
  port: number;
  proc: ChildProcess;
  output: string[];
}

async function startEvaluator(): Promise<Evaluator> {
  const port = await freePort();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-evaluator-'));
  const output: string[] = [];
  const proc = spawn(path.join(backendVenv('nemo-evaluator'), 'bin', 'python'), [path.join(ROOT, 'python', 'evaluator_server', 'server.py'), '--host', '127.0.0.1', '--port', String(port), '--benchmarks', path.join(ROOT, 'test', 'fixtures', 'nemo-evaluator'), '--work-dir', work], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, EVALUATOR_AUTH_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => output.push(String(d)));
  proc.stderr!.on('data', (d) => output.push(String(d)));
  await waitFor(`evaluator on ${port}`, async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok, 120000, 250).catch((e) => {
    throw new Error(`${(e as Error).message}\n${output.join('').slice(-3000)}`);
  });
  return { port, proc, output };
}

describe('NeMo Evaluator remote executor (real NeMo Evaluator in the evaluator container)', () => {
  let fake: FakeModel;
  let a: Evaluator;
  let b: Evaluator;
  let svc: EvalHubService;

  const provider = async (runtime: object) =>
    (
      await svc.request('POST', '/api/v1/evaluations/providers', {
        name: 'NeMo Evaluator',
        benchmarks: ['byob_capitals.capitals', 'byob_capitals_again.capitals_again'].map((id) => ({ id, name: id, category: 'knowledge', primary_score: { metric: 'correct' }, pass_criteria: { threshold: 0.5 } })),
        runtime: { nemo_evaluator: runtime },
      })
    ).body.resource.id as string;
  const run = async (providerId: string, ids = ['byob_capitals.capitals']) => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'nemo', model: { url: `${fake.url}/chat/completions`, name: 'fake-model' }, benchmarks: ids.map((id) => ({ id, provider_id: providerId })) });
    expect([res.status, res.body.message]).toEqual([202, undefined]);
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed', 'partially_failed'], 240000);
    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${job.resource.id}/logs?tail_lines=-1`)).text;
    return { job, logs };
  };

  beforeAll(async () => {
    requireBackendEnv('nemo-evaluator');
    fake = await startFakeModel();
    [a, b] = await Promise.all([startEvaluator(), startEvaluator()]);
    svc = new EvalHubService({ EVALHUB_TEST_NEMO_KEY: MODEL_KEY, MAX_CONCURRENT_EVALUATIONS: '4' });
    await svc.start();
  }, 240000);
  afterAll(async () => {
    await svc?.stop();
    a?.proc.kill();
    b?.proc.kill();
    await fake?.close();
  });

  it("completes with NeMo Evaluator's real metrics, two containers sharing the job's benchmarks", async () => {
    const p = await provider({ endpoint: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`], auth_token: TOKEN, api_key_env: 'EVALHUB_TEST_NEMO_KEY' });
    const { job, logs } = await run(p, ['byob_capitals.capitals', 'byob_capitals_again.capitals_again']);
    expect([job.status.state, job.status.benchmarks.map((x: any) => x.error_message?.message)]).toEqual(['completed', [undefined, undefined]]);
    for (const r of job.results.benchmarks) {
      // 3 of 4 capitals right, as the fixture's model answers; NeMo's own stderr and count.
      expect(r.metrics).toMatchObject({ correct: 0.75, 'pass_1/correct': 0.75, correct_stderr: 0.2165 });
      expect(r.statistics.correct).toMatchObject({ n: 4, stderr: 0.2165, method: 'backend_stderr' });
      expect(r.test).toMatchObject({ primary_score_metric: 'correct', primary_score: 0.75, pass: true });
      expect(r.additional_info).toMatchObject({ nemo_evaluator_version: '0.2.8', command: `evaluate ${r.id}` });
      expect(await svc.artifact(r.artifacts['nemo_evaluator.results.yml'])).toContain('pass@1');
      const samples = (await svc.artifact(r.artifacts['evalhub.sample_scores'])).trim().split('\n');
      expect(samples).toHaveLength(4);
    }
    // One benchmark on each container.
    const used = job.results.benchmarks.map((r: any) => r.additional_info.nemo_evaluator_container).sort();
    expect(used).toEqual([`http://127.0.0.1:${a.port}`, `http://127.0.0.1:${b.port}`].sort());
    // The model key went to the model through NeMo Evaluator, and nowhere else.
    expect(fake.requests.some((r) => r.authorization === `Bearer ${MODEL_KEY}`)).toBe(true);
    expect(logs).not.toContain(MODEL_KEY);
    expect(logs).not.toContain(TOKEN);
  });

  it('with the container stopped: retries max_retries times with growing delays, then fails with the connection error', async () => {
    const closed = await freePort();
    const p = await provider({ endpoint: `127.0.0.1:${closed}`, max_retries: 2, auth_token: TOKEN });
    const { job, logs } = await run(p);
    expect(job.status.state).toBe('failed');
    const msg = job.status.benchmarks[0].error_message;
    expect(msg.message_code).toBe('nemo_evaluator_unreachable');
    expect(msg.message).toMatch(/after 3 attempts \(max_retries 2\): ECONNREFUSED/);
    expect(logs).toMatch(/warning: health check of http:\/\/127\.0\.0\.1:\d+\/health failed/);
    const retries = [...logs.matchAll(/\[evalhub\] (\S+) attempt (\d) of 3 .* retrying in ([\d.]+) s/g)];
    expect(retries.map((m) => m[2])).toEqual(['1', '2']);
    const [d1, d2] = retries.map((m) => Number(m[3]));
    expect(d1).toBeGreaterThanOrEqual(0.75);
    expect(d2).toBeGreaterThan(d1);
    // The timestamps are as far apart as the first delay said.
    expect(Date.parse(retries[1][1]) - Date.parse(retries[0][1])).toBeGreaterThanOrEqual(d1 * 1000 - 50);
  });

  it('with a wrong auth_token: fails at once with the 401, no retry', async () => {
    const p = await provider({ endpoint: `127.0.0.1:${a.port}`, auth_token: 'not-the-token' });
    const { job, logs } = await run(p);
    expect(job.status.state).toBe('failed');
    expect(job.status.benchmarks[0].error_message).toMatchObject({ message_code: 'nemo_evaluator_unauthorized', message: expect.stringMatching(/refused the bearer token \(401\): missing or wrong bearer token/) });
    expect(logs).not.toMatch(/retrying in/);
    expect(logs).not.toContain('not-the-token');
  });

  it('refuses bad settings at submit with a 400 naming the field', async () => {
    const bad = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'bad', benchmarks: [{ id: 'x', name: 'x', category: 'k' }], runtime: { nemo_evaluator: { endpoint_type: 'speech', port: 0 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('runtime.nemo_evaluator.endpoint_type must be one of chat, completions, vlm, embedding');
    const p = await provider({ endpoint: `127.0.0.1:${a.port}` });
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'n', model: { url: `${fake.url}/chat/completions`, name: 'm' }, benchmarks: [{ id: 'byob_capitals.capitals', provider_id: p, parameters: { top_p: 2 } }] });
    expect([res.status, res.body.message_code]).toEqual([400, 'request_validation_failed']);
    expect(res.body.message).toContain('benchmarks[0].parameters.top_p must be a number above 0 and at most 1');
  });
});
