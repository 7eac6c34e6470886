import { FakeModel, startFakeModel, TASKS_DIR, WORSE_ARITH_ANSWERS } from '../support/fake-model';
import { venvDir } from '../support/python';
import { EvalHubService } from '../support/service';

const OFFLINE = { HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', HF_EVALUATE_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' };

/** Two runs of the same lm-eval tasks, the second against a model that answers worse on some items. */
describe('comparing runs (real lm-eval, paired on its logged samples)', () => {
  let good: FakeModel;
  let worse: FakeModel;
  let svc: EvalHubService;
  let provider: string;

  beforeAll(async () => {
    good = await startFakeModel();
    worse = await startFakeModel({ answersFirst: WORSE_ARITH_ANSWERS });
    svc = new EvalHubService({ EVALHUB_PYTHON_VENV: venvDir(), ...OFFLINE });
    await svc.start();
    provider = (
      await svc.request('POST', '/api/v1/evaluations/providers', {
        name: 'Offline tasks',
        benchmarks: [
          { id: 'demo_arith', name: 'Arithmetic', category: 'math', primary_score: { metric: 'exact_match' }, pass_criteria: { threshold: 0.5 } },
          { id: 'demo_mc', name: 'Multiple choice', category: 'reasoning', primary_score: { metric: 'acc' }, pass_criteria: { threshold: 0.4 } },
        ],
        runtime: { local: { executor: 'lm_evaluation_harness', include_path: TASKS_DIR } },
      })
    ).body.resource.id;
  }, 120000);
  afterAll(async () => {
    await svc?.stop();
    await good?.close();
    await worse?.close();
  });

  const run = async (url: string) => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'cmp', model: { url, name: 'fake-model' }, benchmarks: ['demo_arith', 'demo_mc'].map((id) => ({ id, provider_id: provider })) });
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed', 'partially_failed'], 240000);
    expect(job.status.state).toBe('completed');
    return job;
  };

  it('scores carry intervals; the worse model regressed on the affected task (p < 0.05) and not on the other; a job against itself shows no change', async () => {
    const a = await run(good.url);
    const b = await run(worse.url);
    // Every result has an interval, with the number of samples behind it, and a verdict.
    for (const r of [...a.results.benchmarks, ...b.results.benchmarks]) {
      const primary = r.test.primary_score_metric;
      expect(r.statistics[primary]).toMatchObject({ n: expect.any(Number), stderr: expect.any(Number), ci95: [expect.any(Number), expect.any(Number)] });
      expect(['pass', 'fail', 'inconclusive']).toContain(r.test.verdict);
    }
    expect(a.results.benchmarks[0].metrics.exact_match).toBe(1);
    expect(b.results.benchmarks[0].metrics.exact_match).toBeCloseTo(28 / 40, 12);

    const cmp = await svc.request('GET', `/api/v1/evaluations/jobs/compare?baseline=${a.resource.id}&candidate=${b.resource.id}&candidate=${a.resource.id}`);
    expect(cmp.status).toBe(200);
    const [vsWorse, vsSelf] = cmp.body.comparisons;
    const arith = vsWorse.benchmarks.find((x: any) => x.id === 'demo_arith');
    const primary = arith.metrics.find((m: any) => m.primary);
    expect(primary).toMatchObject({ metric: 'exact_match', test: 'mcnemar_exact', n_paired: 40 });
    expect(primary.difference).toBeCloseTo(-0.3, 12);
    expect(primary.p_value).toBeLessThan(0.05);
    expect(arith.outcome).toBe('regressed');
    expect(vsWorse.benchmarks.find((x: any) => x.id === 'demo_mc').outcome).toBe('no_significant_change');
    expect(vsWorse.summary).toMatchObject({ regressed: 1, improved: 0, no_significant_change: 1, correction: 'holm' });
    expect(vsSelf.benchmarks.every((x: any) => x.outcome === 'no_significant_change')).toBe(true);

    const bad = await svc.request('GET', `/api/v1/evaluations/jobs/compare?baseline=${a.resource.id}`);
    expect([bad.status, bad.body.message_code]).toEqual([400, 'query_parameter_invalid']);
    const missing = await svc.request('GET', `/api/v1/evaluations/jobs/compare?baseline=${a.resource.id}&candidate=00000000-0000-0000-0000-000000000000`);
    expect(missing.status).toBe(404);
  });
});
