import * as fs from 'fs';
import * as path from 'path';
import { Queue } from 'bullmq';
import { EvalHubService } from '../support/service';
import { waitFor } from '../support/ports';
import { isAlive } from './process-helpers';

const MODEL = { url: 'http://model.local:8000/v1', name: 'm' };

/** Full flows through API, queue, worker and a real adapter process (test/fixtures/test-adapter.js). */
describe('local runtime flows', () => {
  const svc = new EvalHubService({ MAX_CONCURRENT_EVALUATIONS: '2' });
  let provider: string;
  beforeAll(async () => {
    await svc.start();
    provider = await svc.createTestProvider();
  });
  afterAll(() => svc.stop());

  const submit = async (benchmarks: object[], extra: object = {}) => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'flow', model: MODEL, benchmarks, ...extra });
    expect(res.status).toBe(202);
    return res.body.resource.id as string;
  };
  const bench = (id: string, parameters: object = {}, extra: object = {}) => ({ id, provider_id: provider, parameters, ...extra });

  it('benchmarks waiting for a worker are listed as pending with their place in the queue', async () => {
    // Two run at a time (MAX_CONCURRENT_EVALUATIONS=2): the third and fourth wait, in order.
    const id = await submit(['alpha', 'beta', 'gamma', 'alpha'].map((b) => bench(b, { delay_ms: 2500 })));
    const waiting = await waitFor('two running, two queued', async () => {
      const j = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
      const running = j.status.benchmarks.filter((b: any) => b.status === 'running');
      const queued = j.status.benchmarks.filter((b: any) => b.status === 'pending' && b.queue_position);
      return running.length === 2 && queued.length === 2 ? j : undefined;
    });
    const places = waiting.status.benchmarks.filter((b: any) => b.queue_position).map((b: any) => [b.benchmark_index, b.queue_position]);
    expect(places).toEqual([
      [2, 1],
      [3, 2],
    ]);
    expect(waiting.status.percent).toBeLessThan(50);
    const done = await svc.waitForState(id, ['completed'], 60000);
    expect(done.status.percent).toBe(100);
    expect(done.status.benchmarks.every((b: any) => b.queue_position === undefined)).toBe(true);
  });

  it('completes with metrics, per-benchmark tests and the weighted job score', async () => {
    const id = await submit(
      [bench('alpha', { metrics: { acc: 0.8 } }, { weight: 3 }), bench('beta', { metrics: { acc: 0.4 } }), bench('gamma', { metrics: { rate: 0.1 } })],
      { pass_criteria: { threshold: 0.6 } },
    );
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed']);
    expect(job.status.state).toBe('completed');
    expect(job.status.message).toMatchObject({ message: 'Evaluation job is completed', message_code: 'evaluation_job_updated' });
    expect(job.results.benchmarks.map((b: any) => [b.benchmark_index, b.test.pass])).toEqual([
      [0, true],
      [1, false],
      [2, true],
    ]);
    // (3*0.8 + 0.4 + (1-0.1)) / 5 = 0.74
    expect(job.results.test.score).toBeCloseTo(0.74);
    expect(job.results.test).toMatchObject({ threshold: 0.6, pass: true });
    expect(job.status.benchmarks.every((b: any) => b.started_at && b.completed_at)).toBe(true);

    const logs = await svc.request('GET', `/api/v1/evaluations/jobs/${id}/benchmarks/1/logs`);
    expect(logs.text).toContain('test adapter: benchmark beta index 1 mode complete');
    expect(logs.text).not.toContain('benchmark alpha');
    const all = await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=2&timestamps=true`);
    expect(all.text).toMatch(/=== run=b0 .*benchmark_id=alpha ===/);
    expect(all.text).toMatch(/^\d{4}-\d\d-\d\dT\S+Z \[evalhub\] adapter exited with code 0$/m);
    // The JobSpec the adapter read follows §3.1.
    const spec = JSON.parse(fs.readFileSync(path.join(svc.dataDir, 'jobs', id, '0', provider, 'alpha', 'meta', 'job.json'), 'utf8'));
    expect(spec).toMatchObject({ id, provider_id: provider, benchmark_id: 'alpha', benchmark_index: 0, model: { name: MODEL.name }, parameters: { metrics: { acc: 0.8 } } });
    // The model's URL is the worker's gateway for this run, on the same path (it forwards to model.url with the key).
    expect(spec.model.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${new URL(MODEL.url).pathname}$`));
    // The API, with this run's callback token as a path prefix (the SDK appends the events path).
    expect(spec.callback_url).toMatch(new RegExp(`^${svc.baseUrl}/cb/[A-Za-z0-9_-]{43}$`));
  });

  it('passes num_examples to the adapter outside parameters', async () => {
    const id = await submit([bench('alpha', { num_examples: 7 })]);
    await svc.waitForState(id, ['completed']);
    const spec = JSON.parse(fs.readFileSync(path.join(svc.dataDir, 'jobs', id, '0', provider, 'alpha', 'meta', 'job.json'), 'utf8'));
    expect(spec.num_examples).toBe(7);
    expect(spec.parameters).toEqual({});
  });

  it('ends partially_failed when one benchmark reports failure', async () => {
    const id = await submit([bench('alpha'), bench('beta', { mode: 'fail' })]);
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed']);
    expect(job.status.state).toBe('partially_failed');
    expect(job.status.message.message).toContain('Benchmark beta failed with message: dataset could not be loaded');
    expect(job.results.test).toBeUndefined();
  });

  it('ends failed when every benchmark fails', async () => {
    const id = await submit([bench('alpha', { mode: 'fail' }), bench('beta', { mode: 'fail' })]);
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed']);
    expect(job.status.state).toBe('failed');
  });

  it('fails a benchmark whose adapter crashes without a result, with exit code and last lines', async () => {
    const id = await submit([bench('alpha', { mode: 'crash' })]);
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed']);
    expect(job.status.state).toBe('failed');
    const err = job.status.benchmarks[0].error_message;
    expect(err.message_code).toBe('adapter_exited_without_result');
    expect(err.message).toContain('exited with code 3');
    expect(err.message).toContain('out of cheese');
  });

  it('refuses at submit a provider that cannot run here, saying why, instead of accepting and failing it', async () => {
    const provider = (await svc.request('GET', '/api/v1/evaluations/providers/inspect')).body;
    expect(provider.availability).toMatchObject({ runnable: false, runtime: 'local' });
    expect(provider.availability.reason).toContain('EVALHUB_RUNTIME=kubernetes');
    const before = (await svc.request('GET', '/api/v1/evaluations/jobs')).body.total_count;
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'flow', model: MODEL, benchmarks: [{ id: 'inspect/telemath', provider_id: 'inspect' }] });
    expect(res.status).toBe(400);
    expect(res.body.message_code).toBe('provider_not_runnable');
    expect(res.body.message).toContain("provider 'inspect' cannot run here");
    expect((await svc.request('GET', '/api/v1/evaluations/jobs')).body.total_count).toBe(before);
  });

  it('cancel while running stops the adapter process', async () => {
    const id = await submit([bench('alpha', { mode: 'sleep' })]);
    const pidFile = path.join(svc.dataDir, 'jobs', id, '0', provider, 'alpha', 'meta', 'job.json.pid');
    const pid = await waitFor('adapter pid', async () => (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : undefined), 30000);
    expect(isAlive(pid)).toBe(true);
    await svc.waitForState(id, ['running'], 10000);
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    await waitFor('adapter process gone', async () => !isAlive(pid), 5000);
    const job = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
    expect(job.status.state).toBe('cancelled');
    expect(job.status.benchmarks[0].status).toBe('cancelled');
  });
});

describe('worker killed mid-run', () => {
  const svc = new EvalHubService({ MAX_CONCURRENT_EVALUATIONS: '2' });
  let provider: string;
  beforeAll(async () => {
    await svc.start();
    provider = await svc.createTestProvider();
  });
  afterAll(() => svc.stop());

  it('the job still finishes, once, after a new worker picks the run up', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'kill',
      model: MODEL,
      benchmarks: [{ id: 'alpha', provider_id: provider, parameters: { delay_ms: 8000, metrics: { acc: 0.9 } } }],
    });
    const id = res.body.resource.id;
    await waitFor('benchmark running', async () => {
      const j = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
      return j.status.benchmarks[0]?.phase === 'running_evaluation';
    });
    const pidFile = path.join(svc.dataDir, 'jobs', id, '0', provider, 'alpha', 'meta', 'job.json.pid');
    const firstPid = Number(fs.readFileSync(pidFile, 'utf8'));
    await svc.stopProcess(svc.worker, 'SIGKILL');
    await svc.startWorker();
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 90000);
    expect(job.status.state).toBe('completed');
    expect(job.results.benchmarks).toHaveLength(1);
    expect(job.results.benchmarks[0].metrics).toEqual({ acc: 0.9 });
    // No second (duplicate) run can start once BullMQ has closed the job's flow: wait for that,
    // then the state must be as it was.
    const finalize = new Queue('job-finalize', { connection: { url: process.env.REDIS_URL }, prefix: svc.prefix });
    try {
      await waitFor('the job flow closed', async () => (await finalize.getJobState(`job-${id}`)) === 'completed', 30000, 200);
    } finally {
      await finalize.close();
    }
    const after = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
    expect(after.resource.updated_at).toBe(job.resource.updated_at);
    // The orphaned adapter of the killed worker was stopped; the rerun reported the one result.
    expect(isAlive(firstPid)).toBe(false);
    expect(Number(fs.readFileSync(pidFile, 'utf8'))).not.toBe(firstPid);
    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=-1`)).text;
    expect((logs.match(/posted completed: HTTP 204/g) ?? []).length).toBe(1);
  });
});

describe('worker killed five times', () => {
  const svc = new EvalHubService({ MAX_CONCURRENT_EVALUATIONS: '6' });
  let provider: string;
  beforeAll(async () => {
    await svc.start();
    provider = await svc.createTestProvider();
  });
  afterAll(() => svc.stop());

  it('leaves every job completed, each benchmark with exactly one accepted result', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
        name: `crash-${i}`,
        model: MODEL,
        benchmarks: [{ id: 'alpha', provider_id: provider, parameters: { delay_ms: 6000 + i * 500, metrics: { acc: 0.9 } } }],
      });
      ids.push(res.body.resource.id);
    }
    const states = async () => Promise.all(ids.map(async (id) => (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body));
    for (let k = 0; k < 5; k++) {
      // Killed while adapters run (some may finish meanwhile: their results must count once too).
      await waitFor(`a running benchmark before kill ${k + 1}`, async () => (await states()).some((j) => j.status.benchmarks[0]?.status === 'running'), 60000);
      await svc.stopProcess(svc.worker, 'SIGKILL');
      await svc.startWorker();
    }
    for (const id of ids) {
      const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed', 'cancelled'], 120000);
      expect([id, job.status.state]).toEqual([id, 'completed']);
      expect(job.results.benchmarks).toHaveLength(1);
      expect(job.results.benchmarks[0].metrics).toEqual({ acc: 0.9 });
      const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=-1`)).text;
      // Never a second accepted completion (an orphan of a killed worker that did report first
      // cannot log it any more: its output pipe died with the worker, hence at most one line).
      expect([id, (logs.match(/posted completed: HTTP 204/g) ?? []).length <= 1]).toEqual([id, true]);
    }
  });
});

describe('MAX_CONCURRENT_EVALUATIONS across workers', () => {
  const svc = new EvalHubService({ MAX_CONCURRENT_EVALUATIONS: '1' });
  let provider: string;
  beforeAll(async () => {
    await svc.start();
    // A second worker: the cap holds across all of them, not per worker.
    svc.worker2 = await svc.startExtraWorker();
    provider = await svc.createTestProvider();
  });
  afterAll(async () => {
    await svc.stopProcess(svc.worker2);
    await svc.stop();
  });

  it('never runs more benchmark processes than the cap', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'capped',
      model: MODEL,
      benchmarks: ['alpha', 'beta', 'gamma'].map((id) => ({ id, provider_id: provider, parameters: { delay_ms: 1500, metrics: { acc: 1, rate: 0 } } })),
    });
    const id = res.body.resource.id;
    let maxRunning = 0;
    const job = await waitFor('completion', async () => {
      const j = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
      maxRunning = Math.max(maxRunning, j.status.benchmarks.filter((b: any) => b.status === 'running').length);
      return j.status.state === 'completed' ? j : undefined;
    }, 60000, 100);
    expect(job.status.state).toBe('completed');
    expect(maxRunning).toBe(1);
  });
});
