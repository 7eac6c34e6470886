import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backendVenv, processesMentioning, requireBackendEnv, runDirect } from '../support/backends';
import { FakeModel, startFakeModel } from '../support/fake-model';
import { waitFor } from '../support/ports';
import { EvalHubService } from '../support/service';

const KEY = 'sk-guidellm-secret-77';
const TTFT_MS = 50;
const ITL_MS = 10;
// Small and fast: 8 synchronous requests of 32 prompt + 16 output tokens (~0.2 s each).
const PARAMS = { max_requests: 8, prompt_tokens: 32, output_tokens: 16, seed: 42 };

const successful = (b: any, name: string) => b.metrics[name].successful;
const within = (value: number, expected: number, rel: number) => Math.abs(value - expected) <= rel * expected;

/** guidellm itself with the settings quick_perf_test + PARAMS stand for: the reference run. */
async function guidellmDirectly(env: string, modelUrl: string): Promise<any> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guidellm-direct-'));
  const out = path.join(dir, 'benchmarks.json');
  const r = await runDirect(
    path.join(env, 'bin', 'guidellm'),
    [
      'run',
      '--backend', `kind=openai_http,target=${modelUrl.replace(/\/v1$/, '')},model=fake-model`,
      '--data', `kind=synthetic_text,prompt_tokens=${PARAMS.prompt_tokens},output_tokens=${PARAMS.output_tokens}`,
      '--tokenizer', `kind=huggingface_auto,model=${path.join(env, 'evalhub-tokenizer')}`,
      '--profile', 'kind=synchronous',
      '--constraint', `kind=max_requests,count=${PARAMS.max_requests}`,
      '--constraint', 'kind=max_duration,seconds=60',
      '--seed', `kind=static,value=${PARAMS.seed}`,
      '--output', `kind=json,path=${out}`,
      '--disable-console-interactive',
    ],
    { cwd: dir, env: { GUIDELLM__MAX_WORKER_PROCESSES: '1', HF_HOME: path.join(dir, 'hf') } },
  );
  if (r.code !== 0) throw new Error(`direct guidellm run exited with ${r.code}: ${r.output.slice(-800)}`);
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}

/** Process group ids of the processes given as `ps -eo pid,args` lines. */
function groupsOf(lines: string[]): string[] {
  const pids = lines.map((l) => l.trim().split(/\s+/)[0]);
  return [...new Set(pids.map((pid) => spawnSync('ps', ['-o', 'pgid=', '-p', pid], { encoding: 'utf8' }).stdout.trim()).filter(Boolean))];
}

/** Every process still in one of those groups: guidellm's spawned workers do not carry the job id on their command line. */
function processesInGroups(groups: string[]): string[] {
  const ps = spawnSync('ps', ['-eo', 'pgid=,pid=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => groups.includes(l.trim().split(/\s+/)[0]));
}

describe('GuideLLM executor (real guidellm, fake model with TTFT/ITL)', () => {
  const env = backendVenv('guidellm');
  let fake: FakeModel;
  let svc: EvalHubService;

  beforeAll(async () => {
    requireBackendEnv('guidellm');
    if (!fs.existsSync(path.join(env, 'evalhub-tokenizer', 'tokenizer.json'))) throw new Error(`${env} has no evalhub-tokenizer: delete it and run npm run setup -- --backends guidellm`);
    fake = await startFakeModel({ ttftMs: TTFT_MS, itlMs: ITL_MS });
    svc = new EvalHubService({ EVALHUB_SECRET_MODEL_KEY: KEY });
    await svc.start();
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
  });

  it('the system provider is runnable here', async () => {
    const res = await svc.request('GET', '/api/v1/evaluations/providers/guidellm');
    expect(res.status).toBe(200);
    expect(res.body.availability.runnable).toBe(true);
  });

  it('quick_perf_test measures the configured TTFT/ITL, scores by the catalog and matches a direct guidellm run', async () => {
    const t0 = Date.now();
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'guidellm quick',
      model: { url: fake.url, name: 'fake-model', auth: { secret_ref: 'env:EVALHUB_SECRET_MODEL_KEY' } },
      benchmarks: [{ id: 'quick_perf_test', provider_id: 'guidellm', parameters: PARAMS }],
    });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    const phases = new Set<string>();
    const percents: number[] = [];
    const job = await waitFor(
      'guidellm job',
      async () => {
        const j = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
        const b = j.status.benchmarks[0];
        if (b?.phase) phases.add(b.phase);
        if (typeof b?.progress === 'number') percents.push(b.progress);
        return ['completed', 'failed', 'partially_failed'].includes(j.status.state) ? j : undefined;
      },
      120000,
      250,
    );
    const serviceSeconds = (Date.now() - t0) / 1000;
    expect(job.status.state).toBe('completed');
    expect(phases.has('running_evaluation')).toBe(true);
    expect(percents.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));

    const r = job.results.benchmarks[0];
    const m = r.metrics;
    for (const k of ['requests_per_second', 'prompt_tokens_per_second', 'output_tokens_per_second', 'mean_ttft_ms', 'mean_itl_ms']) expect([k, typeof m[k]]).toEqual([k, 'number']);
    // The fake waits TTFT_MS before the first token and ITL_MS between the others: the figures
    // include those waits. How much more they include depends on the machine's load, so the
    // tolerance is checked against guidellm run directly, below, not against the clock.
    expect(m.mean_ttft_ms).toBeGreaterThanOrEqual(TTFT_MS * 0.95);
    expect(m.mean_itl_ms).toBeGreaterThanOrEqual(ITL_MS * 0.95);
    expect(m.requests_successful).toBe(PARAMS.max_requests);
    expect(m.requests_errored).toBe(0);
    expect(m['synchronous/requests_successful']).toBe(PARAMS.max_requests);
    expect(Object.keys(m).every((k) => /^[A-Za-z0-9_\-. /]+$/.test(k))).toBe(true);
    expect(r.additional_info).toMatchObject({ guidellm_profile: 'synchronous', best_strategy: 'synchronous', requests: { successful: 8, errored: 0 }, strategies: [{ label: 'synchronous', type: 'synchronous' }] });

    // Pass/fail comes from the catalog's primary score and threshold for this benchmark.
    const catalog = (await svc.request('GET', '/api/v1/evaluations/providers/guidellm')).body.benchmarks.find((b: any) => b.id === 'quick_perf_test');
    const primary = catalog.primary_score.metric;
    const threshold = catalog.pass_criteria.threshold;
    expect(r.test).toMatchObject({ primary_score: m[primary], primary_score_metric: primary, threshold, pass: m[primary] >= threshold });
    expect(r.test.pass).toBe(true);

    // The artifact is guidellm's own report, and the metrics are its numbers.
    const reportText = await svc.artifact(r.artifacts['guidellm.benchmarks']);
    const report = JSON.parse(reportText);
    const own = report.benchmarks[0];
    expect(m.mean_ttft_ms).toBe(successful(own, 'time_to_first_token_ms').mean);
    expect(m.mean_itl_ms).toBe(successful(own, 'inter_token_latency_ms').mean);
    expect(m.output_tokens_per_second).toBe(successful(own, 'output_tokens_per_second').mean);
    expect(m.requests_per_second).toBe(successful(own, 'requests_per_second').mean);
    expect(successful(own, 'prompt_token_count').mean).toBe(PARAMS.prompt_tokens);
    expect(successful(own, 'output_token_count').mean).toBe(PARAMS.output_tokens);

    // The key reached the model and nothing else.
    const chats = fake.requests.filter((q) => q.path === '/v1/chat/completions');
    expect(chats).toHaveLength(PARAMS.max_requests);
    expect(chats.every((q) => q.authorization === `Bearer ${KEY}`)).toBe(true);
    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=-1`)).text;
    expect(logs).toContain('guidellm synchronous against');
    expect(logs).not.toContain(KEY);
    expect(reportText).not.toContain(KEY);
    expect(JSON.stringify(job)).not.toContain(KEY);

    // guidellm run directly with the same settings: counts equal, timings within tolerance.
    const t1 = Date.now();
    const direct = (await guidellmDirectly(env, fake.url)).benchmarks;
    const directSeconds = (Date.now() - t1) / 1000;
    expect(direct).toHaveLength(1);
    expect(direct[0].config.strategy.type_).toBe('synchronous');
    expect(direct[0].metrics.request_totals).toEqual(own.metrics.request_totals);
    expect(successful(direct[0], 'prompt_token_count').total_sum).toBe(successful(own, 'prompt_token_count').total_sum);
    expect(successful(direct[0], 'output_token_count').total_sum).toBe(successful(own, 'output_token_count').total_sum);
    const compare: [string, string, number][] = [
      ['mean_ttft_ms', 'time_to_first_token_ms', 0.15],
      ['mean_itl_ms', 'inter_token_latency_ms', 0.15],
      ['requests_per_second', 'requests_per_second', 0.2],
      ['output_tokens_per_second', 'output_tokens_per_second', 0.2],
      ['prompt_tokens_per_second', 'prompt_tokens_per_second', 0.2],
    ];
    for (const [name, src, rel] of compare) {
      const ref = successful(direct[0], src).mean;
      expect([name, m[name], ref, within(m[name], ref, rel)]).toEqual([name, m[name], ref, true]);
    }
    console.log(
      `guidellm quick_perf_test: service ${serviceSeconds.toFixed(1)} s, direct ${directSeconds.toFixed(1)} s; ` +
        `TTFT ${m.mean_ttft_ms.toFixed(2)} ms (direct ${successful(direct[0], 'time_to_first_token_ms').mean.toFixed(2)}), ` +
        `ITL ${m.mean_itl_ms.toFixed(2)} ms (direct ${successful(direct[0], 'inter_token_latency_ms').mean.toFixed(2)}), ` +
        `${m.output_tokens_per_second.toFixed(1)} output tok/s, ${m.requests_per_second.toFixed(2)} req/s`,
    );
  });

  it('refuses a misspelt parameter with 400 naming it', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'bad',
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: [{ id: 'quick_perf_test', provider_id: 'guidellm', parameters: { max_reqests: 8 } }],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('max_reqests is not a parameter the guidellm backend accepts');
  });

  it('cancel during a long constant-rate run leaves no guidellm process behind within 5 s', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'cancel',
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: [{ id: 'constant', provider_id: 'guidellm', parameters: { rate: 5, max_requests: 5000, max_seconds: 600, prompt_tokens: 32, output_tokens: 16 } }],
    });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    const before = fake.requests.length;
    await waitFor('guidellm sending requests', async () => fake.requests.slice(before).some((q) => q.path === '/v1/chat/completions') || undefined, 90000, 200);
    const mine = processesMentioning(id);
    expect(mine.length).toBeGreaterThan(0);
    const groups = groupsOf(mine);
    // guidellm's multiprocessing workers (spawned, without the job id on their command line) share the group.
    expect(processesInGroups(groups).some((l) => !l.includes(id))).toBe(true);
    const t0 = Date.now();
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    await waitFor('guidellm gone', async () => (processesMentioning(id).length === 0 && processesInGroups(groups).length === 0) || undefined, 5000, 100);
    expect(Date.now() - t0).toBeLessThan(5000);
    const job = await svc.waitForState(id, ['cancelled'], 10000);
    expect(job.status.state).toBe('cancelled');
  });

  it('an unreachable model endpoint fails the benchmark saying so', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'down',
      model: { url: 'http://127.0.0.1:9/v1', name: 'fake-model' },
      benchmarks: [{ id: 'quick_perf_test', provider_id: 'guidellm', parameters: { max_requests: 2 } }],
    });
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed'], 90000);
    expect(job.status.state).toBe('failed');
    const err = job.status.benchmarks[0].error_message;
    expect(err.message_code).toBe('model_endpoint_unreachable');
    expect(err.message).toMatch(/could not reach the model endpoint http:\/\/127\.0\.0\.1:9/);
    expect(err.message).toMatch(/Backend validation request failed/);
  });
});
