import { FakeModel, startFakeModel, TASKS_DIR } from '../support/fake-model';
import { freePort } from '../support/ports';
import { EvalHubService } from '../support/service';

// Retry of only what failed (issue: spend less): a benchmark that failed because the model
// endpoint was down runs again through POST /jobs/{id}/retry once the endpoint is back; the
// benchmark that had completed keeps its result and is not run again.

describe('POST /jobs/{id}/retry', () => {
  let svc: EvalHubService;
  let model: FakeModel | undefined;

  beforeAll(async () => {
    svc = new EvalHubService();
    await svc.start();
  });
  afterAll(async () => {
    await svc?.stop();
    await model?.close();
  });

  /** The test adapter (no model calls) and lm-eval's demo_gen (model calls). */
  const providers = async () => ({
    adapter: await svc.createTestProvider(),
    lmEval: (
      await svc.request('POST', '/api/v1/evaluations/providers', {
        name: 'Demo tasks',
        benchmarks: [{ id: 'demo_gen', name: 'Demo generation', category: 'knowledge', primary_score: { metric: 'exact_match' }, pass_criteria: { threshold: 0.4 } }],
        runtime: { local: { executor: 'lm_evaluation_harness', include_path: TASKS_DIR } },
      })
    ).body.resource.id as string,
  });

  it('re-runs only the benchmark that failed while the endpoint was down; the job ends completed and the other result is unchanged', async () => {
    const { adapter, lmEval } = await providers();
    const port = await freePort();
    // Nothing listens on the model's port yet: the endpoint is down.
    const submitted = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'retry me',
      model: { url: `http://127.0.0.1:${port}/v1`, name: 'fake-model', parameters: { max_retries: 1 } },
      benchmarks: [
        { id: 'alpha', provider_id: adapter },
        { id: 'demo_gen', provider_id: lmEval },
      ],
    });
    expect(submitted.status).toBe(202);
    const id = submitted.body.resource.id;
    const first = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 180000);
    expect(first.status.state).toBe('partially_failed');
    expect(first.status.benchmarks.map((b: any) => b.status)).toEqual(['completed', 'failed']);
    const alphaBefore = first.results.benchmarks.find((r: any) => r.id === 'alpha');

    // Still finished and failed: a running job or one with nothing to retry is refused.
    model = await startFakeModel({ port });
    const retried = await svc.request('POST', `/api/v1/evaluations/jobs/${id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.status.state).toBe('pending');
    expect(retried.body.status.benchmarks.map((b: any) => b.status)).toEqual(['completed', 'pending']);
    const again = await svc.request('POST', `/api/v1/evaluations/jobs/${id}/retry`);
    expect([again.status, again.body.message_code]).toEqual([409, 'job_not_finished']);

    const done = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 180000);
    expect([done.status.state, done.status.benchmarks.map((b: any) => b.error_message?.message)]).toEqual(['completed', [undefined, undefined]]);
    // The completed benchmark was not run again: its result is the same object, to the timestamp.
    expect(done.results.benchmarks.find((r: any) => r.id === 'alpha')).toEqual(alphaBefore);
    expect(done.status.benchmarks[0].completed_at).toBe(first.status.benchmarks[0].completed_at);
    expect(done.results.benchmarks.find((r: any) => r.id === 'demo_gen').metrics.exact_match).toBe(0.5);
    expect(done.results.test).toMatchObject({ pass: true });
    // Only demo_gen's prompts reached the model (the test adapter never calls it).
    expect(model.requests.length).toBeGreaterThan(0);
    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=-1`)).text;
    expect(logs).toMatch(/=== run=g1-r1 executor=lm_evaluation_harness benchmark_id=demo_gen ===/);
    expect(logs.match(/=== run=b0 /g)).toHaveLength(1);

    const nothing = await svc.request('POST', `/api/v1/evaluations/jobs/${id}/retry`);
    expect([nothing.status, nothing.body.message_code]).toEqual([409, 'nothing_to_retry']);
    expect((await svc.request('POST', '/api/v1/evaluations/jobs/no-such-job/retry')).status).toBe(404);
  }, 400000);

  it('auto_retry runs a transient failure again by itself after its backoff, once the endpoint is back', async () => {
    const { adapter, lmEval } = await providers();
    const port = await freePort();
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'auto retry',
      model: { url: `http://127.0.0.1:${port}/v1`, name: 'fake-model', parameters: { max_retries: 1 } },
      benchmarks: [
        { id: 'alpha', provider_id: adapter, parameters: { mode: 'fail' } },
        { id: 'demo_gen', provider_id: lmEval },
      ],
      auto_retry: { max_attempts: 1, backoff_seconds: 8 },
    });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    const first = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 180000);
    expect(first.status.benchmarks.map((b: any) => b.status)).toEqual(['failed', 'failed']);
    // The endpoint comes back before the backoff ends.
    const back = await startFakeModel({ port });
    try {
      // Back to running by itself, then finished: demo_gen (endpoint down) ran again; alpha (a dataset error) did not.
      await svc.waitForState(id, ['pending', 'running'], 30000);
      const done = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 180000);
      expect(done.status.benchmarks.map((b: any) => b.status)).toEqual(['failed', 'completed']);
      expect(done.status.benchmarks[0].error_message.message).toBe('dataset could not be loaded');
      expect(back.requests.length).toBeGreaterThan(0);
      // No second automatic retry: alpha's failure is not transient.
      expect(done.status.state).toBe('partially_failed');
    } finally {
      await back.close();
    }
  }, 400000);
});
