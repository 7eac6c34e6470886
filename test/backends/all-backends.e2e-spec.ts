import { randomUUID } from 'crypto';
import { requireBackendEnv } from '../support/backends';
import { FakeModel, LIGHTEVAL_TASKS_DIR, RAGAS_DATASET, startFakeModel, TASKS_DIR } from '../support/fake-model';
import { MlflowServer } from '../support/mlflow-server';
import { waitFor } from '../support/ports';
import { EvalHubService } from '../support/service';

const provider = (name: string, executor: string, include_path: string, id: string, metric: string) => ({
  name,
  title: name,
  benchmarks: [{ id, name: id, category: 'knowledge', primary_score: { metric }, pass_criteria: { threshold: 0.5 } }],
  runtime: { local: { executor, include_path } },
});

/** The acceptance run: one job over all five native backends, against the test model. */
describe('one job over every native backend', () => {
  let fake: FakeModel;
  let svc: EvalHubService;
  const mlflow = new MlflowServer();

  beforeAll(async () => {
    requireBackendEnv('guidellm', 'garak', 'lighteval', 'ragas');
    fake = await startFakeModel({ ttftMs: 50, itlMs: 10 });
    await mlflow.start();
    svc = new EvalHubService({ MLFLOW_TRACKING_URI: mlflow.url });
    await svc.start();
  });
  afterAll(async () => {
    await svc?.stop();
    await mlflow.stop();
    await fake?.close();
  });

  it('GuideLLM, garak, Lighteval, RAGAS and lm-eval benchmarks of one job complete, score by weight and reach MLflow', async () => {
    const lm = (await svc.request('POST', '/api/v1/evaluations/providers', provider('lm tasks', 'lm_evaluation_harness', TASKS_DIR, 'demo_gen', 'exact_match'))).body.resource.id;
    const le = (await svc.request('POST', '/api/v1/evaluations/providers', provider('lighteval tasks', 'lighteval', LIGHTEVAL_TASKS_DIR, 'capitals', 'exact_match'))).body.resource.id;
    const listed = (await svc.request('GET', '/api/v1/evaluations/providers?limit=100')).body.items;
    for (const id of ['guidellm', 'garak', 'lighteval', 'ragas', 'lm_evaluation_harness', lm, le]) {
      expect([id, listed.find((p: any) => p.resource.id === id)?.availability?.runnable]).toEqual([id, true]);
    }
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'every backend',
      model: { url: fake.url, name: 'fake-model' },
      experiment: { name: `all-backends-${randomUUID().slice(0, 8)}` },
      benchmarks: [
        { id: 'demo_gen', provider_id: lm },
        { id: 'quick_perf_test', provider_id: 'guidellm', parameters: { max_requests: 8 } },
        { id: 'quick', provider_id: 'garak' },
        { id: 'capitals', provider_id: le },
        { id: 'ragas_rag_default', provider_id: 'ragas', parameters: { dataset_path: RAGAS_DATASET } },
      ],
    });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 420000);
    expect(job.status.benchmarks.map((b: any) => [b.id, b.status, b.error_message?.message])).toEqual([
      ['demo_gen', 'completed', undefined],
      ['quick_perf_test', 'completed', undefined],
      ['quick', 'completed', undefined],
      ['capitals', 'completed', undefined],
      ['ragas_rag_default', 'completed', undefined],
    ]);
    expect(job.status.state).toBe('completed');
    const [lmEval, perf, redTeam, capitals, rag] = job.results.benchmarks;
    expect(lmEval.metrics.exact_match).toBeGreaterThan(0);
    // The test model waits 50 ms before the first token; how much more GuideLLM measures depends on
    // what else runs (here four other backends on the same cores): test/backends/guidellm checks
    // the 20% tolerance on its own. Here: a measurement, not less than the delay.
    expect(perf.metrics.mean_ttft_ms).toBeGreaterThanOrEqual(48);
    expect(perf.metrics.mean_itl_ms).toBeGreaterThanOrEqual(9.5);
    expect(redTeam.metrics.attack_success_rate).toBe(0.5);
    expect(redTeam.test).toMatchObject({ primary_score_metric: 'attack_success_rate', pass: false });
    expect(capitals.metrics.em).toBe(0.75);
    expect(rag.metrics.faithfulness).toBe(1);
    // Five tests, weighted (weight 1 each; lower-is-better counts as 1 - score).
    const terms = job.results.benchmarks.map((b: any) => (b.test.primary_score_metric === 'attack_success_rate' ? 1 - b.test.primary_score : b.test.primary_score));
    expect(job.results.test.score).toBeCloseTo(terms.reduce((a: number, b: number) => a + b, 0) / terms.length, 6);

    // Each benchmark is a child run in MLflow with the same metrics.
    const synced = await waitFor('MLflow written', async () => {
      const j = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
      return j.tracking?.state === 'synced' ? j : undefined;
    }, 120000, 500);
    const runs = await mlflow.runs(synced.resource.mlflow_experiment_id);
    for (const b of synced.results.benchmarks) {
      const run = runs.find((r: any) => r.info.run_id === b.mlflow_run_id);
      expect([b.id, run?.info.status]).toEqual([b.id, 'FINISHED']);
      const logged = Object.fromEntries((run.data.metrics ?? []).map((m: any) => [m.key, m.value]));
      expect([b.id, logged[b.test.primary_score_metric]]).toEqual([b.id, b.test.primary_score]);
    }
  });
});
