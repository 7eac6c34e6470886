import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeModel, startFakeModel, TASKS_DIR } from '../support/fake-model';
import { waitFor } from '../support/ports';
import { pythonEnv, venvBin, venvDir } from '../support/python';
import { EvalHubService } from '../support/service';
import { readEvents } from '../support/sse';

const TASKS = ['demo_mc', 'demo_gen', 'demo_mc2', 'demo_gen2'];
const OFFLINE = { HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', HF_EVALUATE_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' };

/** The lm-eval tasks of test/fixtures as a tenant provider that uses the built-in lm-eval executor. */
function taskProvider() {
  return {
    name: 'Offline lm-eval tasks',
    title: 'Offline lm-eval tasks',
    benchmarks: TASKS.map((id) => ({
      id,
      name: id,
      category: id.includes('mc') ? 'reasoning' : 'knowledge',
      primary_score: { metric: id.includes('mc') ? 'acc' : 'exact_match' },
      pass_criteria: { threshold: 0.5 },
    })),
    runtime: { local: { executor: 'lm_evaluation_harness', include_path: TASKS_DIR } },
  };
}

/**
 * lm-eval run directly (not through EvalHub) on the same tasks and model: the reference numbers.
 * Asynchronous on purpose: the fake model lives in this process and must keep answering.
 */
async function runLmEvalDirectly(modelUrl: string): Promise<Record<string, Record<string, number>>> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-direct-'));
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      venvBin('lm-eval'),
      ['run', '--model', 'local-completions', '--model_args', `base_url=${modelUrl}/completions,model=fake-model,tokenizer_backend=remote,max_length=8192`, '--include_path', TASKS_DIR, '--tasks', TASKS.join(','), '--output_path', out, '--seed', '0'],
      { cwd: TASKS_DIR, env: pythonEnv({ HF_HOME: path.join(out, 'hf') }), stdio: 'ignore' },
    );
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`direct lm-eval run exited with ${code}`);
  const dir = path.join(out, 'fake-model');
  const file = fs.readdirSync(dir).find((f) => f.startsWith('results_'))!;
  const results = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).results;
  const clean: Record<string, Record<string, number>> = {};
  for (const [task, raw] of Object.entries<Record<string, unknown>>(results)) {
    clean[task] = {};
    for (const [k, v] of Object.entries(raw)) if (k.endsWith(',none') && typeof v === 'number') clean[task][k.replace(',none', '')] = v;
  }
  return clean;
}

function lmEvalProcessesFor(jobId: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => l.includes('lm-eval') && l.includes(jobId));
}

describe('lm-evaluation-harness executor (real lm-eval, fake model)', () => {
  let fake: FakeModel;
  let slow: FakeModel;
  let svc: EvalHubService;
  let provider: string;

  beforeAll(async () => {
    fake = await startFakeModel();
    slow = await startFakeModel({ delayMs: 150 });
    svc = new EvalHubService({ EVALHUB_PYTHON_VENV: venvDir(), EVALHUB_SECRET_MODEL_KEY: 'sk-test-secret-123', ...OFFLINE });
    await svc.start();
    const res = await svc.request('POST', '/api/v1/evaluations/providers', taskProvider());
    provider = res.body.resource.id;
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
    await slow?.close();
  });

  it('runs all tasks of a job in one lm-eval process; metrics equal a direct lm-eval run', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'lm-eval',
      model: { url: fake.url, name: 'fake-model', auth: { secret_ref: 'env:EVALHUB_SECRET_MODEL_KEY' } },
      benchmarks: TASKS.map((id) => ({ id, provider_id: provider })),
    });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 120000);
    expect(job.status.state).toBe('completed');

    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=-1`)).text;
    expect((logs.match(/^=== run=/gm) ?? []).length).toBe(1);
    expect(logs).toContain(`tasks ${TASKS.join(',')}`);

    // What the job sent, before the reference run below adds its own (keyless) requests.
    const jobRequests = [...fake.requests];
    const direct = await runLmEvalDirectly(fake.url);
    for (const [i, task] of TASKS.entries()) {
      const r = job.results.benchmarks[i];
      expect(r.id).toBe(task);
      for (const [metric, value] of Object.entries(direct[task])) expect([task, metric, r.metrics[metric]]).toEqual([task, metric, value]);
      expect(r.test.primary_score_metric).toBe(task.includes('mc') ? 'acc' : 'exact_match');
      expect((await svc.request('GET', r.artifacts['lm_eval.samples'])).status).toBe(200);
      expect(r.additional_info.lm_eval_tasks_in_process).toBe(4);
    }
    expect(typeof job.results.test.score).toBe('number');

    // Log-likelihood requests carried echo + logprobs, and the key went to the model only.
    const ll = jobRequests.find((r) => r.body?.echo === true);
    expect(ll?.body).toMatchObject({ logprobs: 1, max_tokens: 1, seed: expect.any(Number) });
    const completions = jobRequests.filter((r) => r.path === '/v1/completions');
    expect(completions.length).toBeGreaterThan(0);
    expect(completions.every((r) => r.authorization === 'Bearer sk-test-secret-123')).toBe(true);
    expect(logs).not.toContain('sk-test-secret-123');
    expect(JSON.stringify(job)).not.toContain('sk-test-secret-123');
  });

  it('reports progress phases while running and honours num_examples as --limit', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'progress',
      model: { url: slow.url, name: 'fake-model' },
      benchmarks: [{ id: 'demo_mc', provider_id: provider, parameters: { num_examples: 4 } }],
    });
    const id = res.body.resource.id;
    const seen = new Set<string>();
    const job = await waitFor(
      'completion',
      async () => {
        const j = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
        const b = j.status.benchmarks[0];
        if (b?.phase) seen.add(b.phase);
        return ['completed', 'failed'].includes(j.status.state) ? j : undefined;
      },
      120000,
      100,
    );
    expect(job.status.state).toBe('completed');
    expect(seen.has('running_evaluation')).toBe(true);
    const samples = (await svc.artifact(job.results.benchmarks[0].artifacts['lm_eval.samples'])).trim().split('\n');
    expect(samples).toHaveLength(4);
  });

  it('progress, watched on the job stream, is set from the start of evaluation and only grows', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'watched',
      model: { url: slow.url, name: 'fake-model' },
      benchmarks: [{ id: 'demo_mc', provider_id: provider }],
    });
    const id = res.body.resource.id;
    const { events, closedByServer } = await readEvents(`${svc.baseUrl}/api/v1/evaluations/jobs/${id}/stream`, { timeoutMs: 120000 });
    expect(closedByServer).toBe(true);
    expect(events[events.length - 1]).toMatchObject({ event: 'result', data: { state: 'completed', percent: 100 } });
    const statuses = events.map((e) => e.data.benchmarks?.[0]).filter(Boolean);
    const from = statuses.findIndex((b) => b.phase === 'running_evaluation');
    expect(from).toBeGreaterThanOrEqual(0);
    const during = statuses.slice(from);
    // Never unknown once evaluation started, never going back, and moving through several values.
    expect(during.every((b) => typeof b.progress === 'number' && b.progress >= 0 && b.progress <= 1)).toBe(true);
    const progress = during.map((b) => b.progress as number);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(new Set(progress).size).toBeGreaterThanOrEqual(3);
    // A count of requests and an ETA along the way; the job's overall percent grows with it.
    expect(during.some((b) => b.count_unit === 'requests' && b.total_count > 0 && b.completed_count <= b.total_count)).toBe(true);
    expect(during.some((b) => typeof b.eta_seconds === 'number')).toBe(true);
    const percents = events.map((e) => e.data.percent as number);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  });

  it('in a combined run, a task that cannot load fails with its own reason and the others still run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-broken-'));
    for (const f of ['demo_mc.yaml', 'demo_mc.jsonl']) fs.copyFileSync(path.join(TASKS_DIR, f), path.join(dir, f));
    const broken = fs.readFileSync(path.join(TASKS_DIR, 'demo_gen.yaml'), 'utf8').replace('task: demo_gen', 'task: demo_lost').replace('test: demo_gen.jsonl', 'test: demo_lost_missing.jsonl');
    fs.writeFileSync(path.join(dir, 'demo_lost.yaml'), broken);
    fs.chmodSync(dir, 0o755);
    const p = await svc.request('POST', '/api/v1/evaluations/providers', {
      name: 'Partly broken tasks',
      benchmarks: ['demo_lost', 'demo_mc'].map((id) => ({ id, name: id, category: 'reasoning', primary_score: { metric: 'acc' } })),
      runtime: { local: { executor: 'lm_evaluation_harness', include_path: dir } },
    });
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'combined',
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: ['demo_lost', 'demo_mc'].map((id) => ({ id, provider_id: p.body.resource.id })),
    });
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed', 'partially_failed'], 180000);
    expect(job.status.state).toBe('partially_failed');
    const [lost, mc] = [0, 1].map((i) => job.status.benchmarks.find((b: any) => b.benchmark_index === i));
    expect(mc.status).toBe('completed');
    expect(lost.status).toBe('failed');
    expect(lost.error_message.message).toContain('demo_lost_missing');
    expect(job.results.benchmarks.find((r: any) => r.benchmark_index === 1).metrics.acc).toEqual(expect.any(Number));
  });

  it('cancel during a run stops lm-eval within 5 s and leaves no process behind', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'cancel',
      model: { url: slow.url, name: 'fake-model' },
      benchmarks: TASKS.map((id) => ({ id, provider_id: provider })),
    });
    const id = res.body.resource.id;
    await waitFor('lm-eval requesting', async () => (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body.status.benchmarks[0]?.phase === 'running_evaluation', 60000);
    expect(lmEvalProcessesFor(id).length).toBeGreaterThan(0);
    const t0 = Date.now();
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    await waitFor('lm-eval gone', async () => lmEvalProcessesFor(id).length === 0, 5000, 100);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body.status.state).toBe('cancelled');
  });

  it('fails the benchmark with the reason when the model endpoint is down', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'down',
      model: { url: 'http://127.0.0.1:9/v1', name: 'fake-model', parameters: { max_retries: 1 } },
      benchmarks: [{ id: 'demo_gen', provider_id: provider }],
    });
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed', 'partially_failed'], 120000);
    expect(job.status.state).toBe('failed');
    const err = job.status.benchmarks[0].error_message;
    expect(err.message_code).toBe('lm_eval_failed');
    expect(err.message).toMatch(/exited with code \d+: .*(Connection|connect|refused)/i);
  });
});

describe('lm-eval run timeout', () => {
  let slow: FakeModel;
  const svc = new EvalHubService({ EVALHUB_PYTHON_VENV: venvDir(), DEFAULT_TIMEOUT_MINUTES: '0.2', ...OFFLINE });
  beforeAll(async () => {
    slow = await startFakeModel({ delayMs: 1000 });
    await svc.start();
  });
  afterAll(async () => {
    await svc.stop();
    await slow.close();
  });

  it('ends a run that exceeds DEFAULT_TIMEOUT_MINUTES with a clear message and no process left', async () => {
    const provider = (await svc.request('POST', '/api/v1/evaluations/providers', taskProvider())).body.resource.id;
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'slow', model: { url: slow.url, name: 'fake-model' }, benchmarks: [{ id: 'demo_mc', provider_id: provider }] });
    const id = res.body.resource.id;
    const job = await svc.waitForState(id, ['completed', 'failed'], 120000);
    expect(job.status.state).toBe('failed');
    expect(job.status.benchmarks[0].error_message).toMatchObject({ message_code: 'evaluation_timeout' });
    expect(job.status.benchmarks[0].error_message.message).toContain('0.2 minute');
    await waitFor('lm-eval gone', async () => lmEvalProcessesFor(id).length === 0, 5000);
  });
});
