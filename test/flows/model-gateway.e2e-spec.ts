import { FakeModel, startFakeModel, TASKS_DIR } from '../support/fake-model';
import { waitFor } from '../support/ports';
import { EvalHubService } from '../support/service';

// The worker's model gateway (issue: spend less): every local backend's model calls go through
// it. It counts requests and tokens (equal to what the model counted), adds the key the backend
// never sees, keeps one endpoint to its concurrency limit across jobs, and retries transient
// failures.

const KEY = 'sk-gateway-key-7';

describe('model gateway', () => {
  let model: FakeModel;
  let svc: EvalHubService;
  let provider: string;

  beforeAll(async () => {
    // 150 ms a completion: four jobs at once would overlap without the limit.
    model = await startFakeModel({ delayMs: 150 });
    svc = new EvalHubService({
      MAX_CONCURRENT_EVALUATIONS: '4',
      EVALHUB_MODEL_CACHE: 'true',
      EVALHUB_SECRET_GW_KEY: KEY,
      MODEL_ENDPOINT_LIMITS: JSON.stringify({ [new URL(model.url).origin]: { max_concurrent: 2 } }),
    });
    await svc.start();
    provider = (
      await svc.request('POST', '/api/v1/evaluations/providers', {
        name: 'Demo tasks',
        benchmarks: ['demo_gen', 'demo_gen2', 'demo_mc', 'demo_mc2', 'demo_arith'].map((id) => ({ id, name: id, category: 'reasoning', primary_score: { metric: id.includes('mc') ? 'acc' : 'exact_match' } })),
        runtime: { local: { executor: 'lm_evaluation_harness', include_path: TASKS_DIR } },
      })
    ).body.resource.id;
  });
  afterAll(async () => {
    await svc?.stop();
    await model?.close();
  });

  const submit = async (name: string, benchmarks: string | string[] = 'demo_gen', extra: object = {}) => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name,
      model: { url: model.url, name: 'fake-model', auth: { secret_ref: 'env:EVALHUB_SECRET_GW_KEY' } },
      benchmarks: (Array.isArray(benchmarks) ? benchmarks : [benchmarks]).map((id) => ({ id, provider_id: provider })),
      ...extra,
    });
    expect([res.status, res.body.message]).toEqual([202, undefined]);
    return res.body.resource.id as string;
  };

  it("a benchmark's result shows its requests and tokens, equal to what the model counted; the key reached only the model", async () => {
    const before = { ...model.stats };
    const id = await submit('usage');
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 120000);
    expect(job.status.state).toBe('completed');
    const usage = job.results.benchmarks[0].usage;
    expect(usage).toMatchObject({
      requests: model.stats.completionRequests - before.completionRequests,
      prompt_tokens: model.stats.promptTokens - before.promptTokens,
      completion_tokens: model.stats.completionTokens - before.completionTokens,
      errors: 0,
      scope: 'benchmark',
    });
    expect(usage.requests).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.estimated).toBeUndefined();
    // lm-eval was given the gateway, not the key: the model still saw the key on every call.
    const calls = model.requests.slice(-usage.requests);
    expect(calls.every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=-1`)).text;
    expect(logs).toMatch(/model calls go through the gateway at http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(logs).not.toContain(KEY);
    // And as metrics, from the worker (tenant providers are labelled "tenant").
    // Counted when the run ends, which may be a moment after its result.
    const metrics = await waitFor('the run in the worker metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${svc.workerPort}/metrics`)).text();
      return text.includes('evalhub_model_tokens_total{') ? text : undefined;
    }, 10000, 100);
    const series = (name: string, labels: string) => metrics.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((x) => l.includes(x)));
    expect(series('evalhub_model_tokens_total', 'provider="tenant",kind="prompt"')?.split(' ').pop()).toBe(String(usage.prompt_tokens));
    expect(series('evalhub_model_requests_total', 'provider="tenant",outcome="ok"')?.split(' ').pop()).toBe(String(usage.requests));
  }, 180000);

  it('with a limit of 2 on the endpoint, four jobs at once never have more than 2 calls at the model, and all complete', async () => {
    model.stats.maxInFlight = 0;
    // No cache here: every job must reach the model.
    const ids = await Promise.all(['a', 'b', 'c', 'd'].map((n) => submit(`limited-${n}`, 'demo_mc', { cache: false })));
    const jobs = await Promise.all(ids.map((id) => svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 240000)));
    expect(jobs.map((j) => j.status.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(model.stats.maxInFlight).toBe(2);
    // Someone waited for a slot.
    expect(jobs.some((j) => j.results.benchmarks[0].usage.waited_seconds > 0)).toBe(true);
  }, 300000);

  it('retries a transient failure of the model (503) and the run completes', async () => {
    await fetch(`${new URL(model.url).origin}/__faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 503, count: 2 }) });
    const id = await submit('retried', 'demo_gen', { cache: false });
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 120000);
    expect(job.status.state).toBe('completed');
    expect(job.results.benchmarks[0].usage).toMatchObject({ retries: 2, errors: 0 });
    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=-1`)).text;
    expect(logs).toMatch(/\[gateway\] \S+ \/v1\/completions → HTTP 503; attempt 2 of 4/);
  }, 180000);

  it('a re-run of a completed job is answered from the cache: no model call, the same metrics', async () => {
    const tasks = ['demo_gen2', 'demo_mc2', 'demo_arith', 'demo_gen'];
    const first = await svc.waitForState(await submit('cached-1', tasks), ['completed', 'failed', 'partially_failed'], 180000);
    expect(first.status.state).toBe('completed');
    const calls = model.stats.completionRequests;
    const second = await svc.waitForState(await submit('cached-2', tasks), ['completed', 'failed', 'partially_failed'], 180000);
    expect(second.status.state).toBe('completed');
    expect(model.stats.completionRequests).toBe(calls);
    const metrics = (j: any) => j.results.benchmarks.map((r: any) => r.metrics);
    expect(metrics(second)).toEqual(metrics(first));
    // One lm-eval process for the four tasks: the figures are the unit's.
    const u = second.results.benchmarks[0].usage;
    const before = first.results.benchmarks[0].usage;
    expect(u).toMatchObject({ requests: 0, cached: before.requests + before.cached, scope: 'unit' });
    expect(u.shared_with).toHaveLength(4);
    // cache: false goes to the model again.
    await svc.waitForState(await submit('uncached', ['demo_arith'], { cache: false }), ['completed'], 180000);
    expect(model.stats.completionRequests).toBeGreaterThan(calls);
  }, 400000);

  it('reuse: true takes over an equal completed benchmark without running it; other parameters run', async () => {
    const source = await svc.waitForState(await submit('reuse-source', ['demo_mc'], { cache: false }), ['completed'], 180000);
    const calls = model.stats.completionRequests;
    const reused = await svc.waitForState(await submit('reuse-me', ['demo_mc'], { reuse: true, cache: false }), ['completed', 'failed'], 60000);
    expect(reused.status.state).toBe('completed');
    expect(model.stats.completionRequests).toBe(calls);
    const [r] = reused.results.benchmarks;
    expect(r.metrics).toEqual(source.results.benchmarks[0].metrics);
    expect(r.additional_info.reused_from).toEqual({ job_id: source.resource.id, benchmark_index: 0, completed_at: source.status.benchmarks[0].completed_at });
    expect(reused.status.benchmarks[0].warning_message).toMatchObject({ message_code: 'result_reused' });
    // Not the same question: different parameters run for real.
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'reuse-other',
      model: { url: model.url, name: 'fake-model', auth: { secret_ref: 'env:EVALHUB_SECRET_GW_KEY' } },
      benchmarks: [{ id: 'demo_mc', provider_id: provider, parameters: { num_examples: 3 } }],
      reuse: true,
      cache: false,
    });
    const other = await svc.waitForState(res.body.resource.id, ['completed', 'failed'], 180000);
    expect(other.results.benchmarks[0].additional_info.reused_from).toBeUndefined();
    expect(model.stats.completionRequests).toBeGreaterThan(calls);
  }, 400000);
});
