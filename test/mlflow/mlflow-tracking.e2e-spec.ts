import * as fs from 'fs';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { FakeModel, startFakeModel, TASKS_DIR } from '../support/fake-model';
import { metricsOf, MlflowServer, tagsOf } from '../support/mlflow-server';
import { waitFor } from '../support/ports';
import { venvBin, venvDir } from '../support/python';
import { EvalHubService, ROOT } from '../support/service';
import { TlsAuthProxy } from '../support/tls-auth-proxy';

const OFFLINE = { HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', HF_EVALUATE_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' };

function tasksProvider() {
  return {
    name: 'Offline lm-eval tasks',
    title: 'Offline lm-eval tasks',
    benchmarks: ['demo_mc', 'demo_gen'].map((id) => ({ id, name: id, category: 'x', primary_score: { metric: id === 'demo_mc' ? 'acc' : 'exact_match' }, pass_criteria: { threshold: 0.4 } })),
    runtime: { local: { executor: 'lm_evaluation_harness', include_path: TASKS_DIR } },
  };
}

describe('MLflow tracking against a real mlflow server', () => {
  const mlflow = new MlflowServer();
  let fake: FakeModel;
  let svc: EvalHubService;
  let lmProvider: string;
  let sdkProvider: string;

  beforeAll(async () => {
    await mlflow.start();
    fake = await startFakeModel();
    svc = new EvalHubService({ MLFLOW_TRACKING_URI: mlflow.url, EVALHUB_PYTHON_VENV: venvDir(), ...OFFLINE });
    await svc.start();
    lmProvider = (await svc.request('POST', '/api/v1/evaluations/providers', tasksProvider())).body.resource.id;
    sdkProvider = (
      await svc.request('POST', '/api/v1/evaluations/providers', {
        name: 'SDK adapter',
        benchmarks: [{ id: 'arc_easy', name: 'ARC', category: 'x', primary_score: { metric: 'acc_norm' }, pass_criteria: { threshold: 0.25 } }],
        runtime: { local: { command: `${venvBin('python')} ${path.join(ROOT, 'test', 'compat', 'sdk_adapter.py')}` } },
      })
    ).body.resource.id;
  }, 180000);
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
    await mlflow.stop();
  });

  const waitSynced = (id: string, timeoutMs = 120000) =>
    waitFor(`job ${id} tracked`, async () => {
      const j = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
      return j.tracking?.state === 'synced' ? j : undefined;
    }, timeoutMs, 250);

  it('records experiment, job run with score and card, and one child run per benchmark', async () => {
    const name = `exp-${randomUUID().slice(0, 8)}`;
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'tracked job',
      description: 'tracked by MLflow',
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: [{ id: 'demo_mc', provider_id: lmProvider, parameters: { num_few_shot: 0 } }, { id: 'demo_gen', provider_id: lmProvider, parameters: { num_few_shot: 0 } }],
      experiment: { name, tags: [{ key: 'team', value: 'evals' }] },
    });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    const exp = await mlflow.experimentByName(name);
    expect(res.body.resource.mlflow_experiment_id).toBe(exp.experiment_id);
    expect(res.body.results.mlflow_experiment_url).toBe(`${mlflow.url}/#/experiments/${exp.experiment_id}/runs`);
    expect(tagsOf(exp)).toMatchObject({ context: 'eval-hub', evaluation_job_id: id, evaluation_job_name: 'tracked job', evaluation_job_description: 'tracked by MLflow', team: 'evals' });

    await svc.waitForState(id, ['completed'], 120000);
    const job = await waitSynced(id);
    const runs = await mlflow.runs(exp.experiment_id);
    const jobRun = runs.find((r) => tagsOf(r)['evalhub.run_kind'] === 'job');
    expect(jobRun.info.run_name).toBe('tracked job');
    expect(jobRun.info.status).toBe('FINISHED');
    expect(metricsOf(jobRun).score).toBeCloseTo(job.results.test.score, 6);
    expect(tagsOf(jobRun)).toMatchObject({ evaluation_job_id: id, context: 'eval-hub', pass: String(job.results.test.pass) });
    expect(await mlflow.artifacts(jobRun.info.run_id)).toContain('evaluation-card.json');
    const card = JSON.parse(await mlflow.download(jobRun, 'evaluation-card.json'));
    expect(card.metadata.evaluation_job_id).toBe(id);
    expect(card.results.benchmarks.map((b: any) => b.id)).toEqual(['demo_mc', 'demo_gen']);

    const children = runs.filter((r) => tagsOf(r)['mlflow.parentRunId'] === jobRun.info.run_id);
    expect(children.map((r) => r.info.run_name).sort()).toEqual([`${id}_0`, `${id}_1`]);
    for (const child of children) {
      const index = Number(tagsOf(child)['evalhub.benchmark_index']);
      const result = job.results.benchmarks[index];
      expect(result.mlflow_run_id).toBe(child.info.run_id);
      expect(metricsOf(child)).toEqual(result.metrics);
      const params = Object.fromEntries(child.data.params.map((p: any) => [p.key, p.value]));
      expect(params).toMatchObject({ benchmark_id: result.id, provider_id: lmProvider, model_name: 'fake-model', num_few_shot: '0' });
      const files = await mlflow.artifacts(child.info.run_id);
      expect(files.some((f) => f.startsWith('results_'))).toBe(true);
      expect(files.some((f) => f.startsWith(`samples_${result.id}_`))).toBe(true);
    }
  });

  it('gives SDK adapters MLFLOW_TRACKING_URI; their own run is adopted, not duplicated', async () => {
    const name = `exp-${randomUUID().slice(0, 8)}`;
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'sdk tracked',
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: [{ id: 'arc_easy', provider_id: sdkProvider, parameters: { num_examples: 3 } }],
      experiment: { name },
    });
    const id = res.body.resource.id;
    await svc.waitForState(id, ['completed'], 120000);
    const job = await waitSynced(id);
    const runs = await mlflow.runs(res.body.resource.mlflow_experiment_id);
    const adapterRun = runs.find((r) => r.info.run_name === `${id}_0`);
    expect(adapterRun).toBeDefined();
    expect(job.results.benchmarks[0].mlflow_run_id).toBe(adapterRun.info.run_id);
    expect(runs).toHaveLength(2);
    const jobRun = runs.find((r) => tagsOf(r)['evalhub.run_kind'] === 'job');
    expect(tagsOf(adapterRun)['mlflow.parentRunId']).toBe(jobRun.info.run_id);
  });

  it('records each benchmark run as soon as it ends, while the job still runs; the job run follows at the end', async () => {
    const provider = await svc.createTestProvider();
    const name = `exp-${randomUUID().slice(0, 8)}`;
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'live tracking',
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: [
        { id: 'alpha', provider_id: provider },
        { id: 'beta', provider_id: provider, parameters: { mode: 'sleep' } },
      ],
      experiment: { name },
    });
    const id = res.body.resource.id;
    const experimentId = res.body.resource.mlflow_experiment_id;
    const early = await waitFor('alpha run finished in MLflow', async () => (await mlflow.runs(experimentId)).find((r) => r.info.run_name === `${id}_0` && r.info.status === 'FINISHED'), 60000, 250);
    expect(metricsOf(early)).toMatchObject({ acc: 0.7, acc_norm: 0.66 });
    const during = await waitFor('run id on the job', async () => {
      const j = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
      return j.results.benchmarks?.[0]?.mlflow_run_id ? j : undefined;
    }, 10000, 100);
    expect(during.status.state).toBe('running');
    expect(during.results.benchmarks[0].mlflow_run_id).toBe(early.info.run_id);

    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    await waitSynced(id);
    const runs = await mlflow.runs(experimentId);
    const jobRun = runs.find((r) => tagsOf(r)['evalhub.run_kind'] === 'job');
    expect(runs.map((r) => r.info.run_name).sort()).toEqual([`${id}_0`, 'live tracking'].sort());
    expect(jobRun.info.status).toBe('KILLED');
    expect(tagsOf(runs.find((r) => r.info.run_name === `${id}_0`))['mlflow.parentRunId']).toBe(jobRun.info.run_id);
  });

  it('keeps running jobs while MLflow is down, then records every run once when it is back', async () => {
    const name = `exp-${randomUUID().slice(0, 8)}`;
    const body = (jobName: string) => ({
      name: jobName,
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: [{ id: 'demo_mc', provider_id: lmProvider }, { id: 'demo_gen', provider_id: lmProvider }],
      experiment: { name },
    });
    const first = (await svc.request('POST', '/api/v1/evaluations/jobs', body('during outage'))).body;
    expect(first.resource.mlflow_experiment_id).toBeDefined();
    await mlflow.stop();
    // Submitted while MLflow is down: accepted all the same, experiment resolved later.
    const second = await svc.request('POST', '/api/v1/evaluations/jobs', body('submitted during outage'));
    expect(second.status).toBe(202);
    expect(second.body.resource.mlflow_experiment_id).toBeUndefined();
    expect(second.body.tracking.state).toBe('pending');

    for (const id of [first.resource.id, second.body.resource.id]) {
      const done = await svc.waitForState(id, ['completed'], 120000);
      expect(done.tracking.state).toBe('pending');
    }
    // The worker tried MLflow, failed, and says so on the job while it keeps retrying.
    const pending = await waitFor('the failed MLflow attempt recorded on the job', async () => {
      const j = (await svc.request('GET', `/api/v1/evaluations/jobs/${first.resource.id}`)).body;
      return /unreachable/.test(j.tracking?.last_error ?? '') ? j : undefined;
    }, 30000, 250);
    expect(pending.tracking.state).toBe('pending');

    // The worker that records them may not be the one that ran them: remove the run's files from
    // this disk; MLflow must still get them (from the copy kept in Redis).
    fs.rmSync(path.join(svc.dataDir, 'jobs', first.resource.id), { recursive: true, force: true });
    await mlflow.start();
    const jobs = [await waitSynced(first.resource.id, 150000), await waitSynced(second.body.resource.id, 150000)];
    expect(jobs[1].resource.mlflow_experiment_id).toBe(first.resource.mlflow_experiment_id);
    const runs = await mlflow.runs(first.resource.mlflow_experiment_id);
    for (const job of jobs) {
      const mine = runs.filter((r) => tagsOf(r)['evalhub.job_id'] === job.resource.id);
      expect(mine.filter((r) => tagsOf(r)['evalhub.run_kind'] === 'job')).toHaveLength(1);
      expect(mine.filter((r) => tagsOf(r)['evalhub.run_kind'] === 'benchmark').map((r) => r.info.run_name).sort()).toEqual([`${job.resource.id}_0`, `${job.resource.id}_1`]);
    }
    expect(runs).toHaveLength(6);
    for (const run of runs.filter((r) => tagsOf(r)['evalhub.run_kind'] === 'benchmark')) {
      const files = await mlflow.artifacts(run.info.run_id);
      expect(files).toEqual(expect.arrayContaining(['jobrun.log']));
      expect(files.some((f) => f.startsWith('results_'))).toBe(true);
      expect(files.some((f) => f.startsWith('samples_'))).toBe(true);
    }
  });

  it('reaches MLflow over HTTPS with a private CA and a bearer token read from a file (rotation included), and passes both to SDK adapters', async () => {
    const proxy = await new TlsAuthProxy(mlflow.url).start();
    const tokenFile = path.join(proxy.dir, 'token');
    fs.writeFileSync(tokenFile, proxy.token);
    const secured = new EvalHubService({
      MLFLOW_TRACKING_URI: proxy.url,
      MLFLOW_TOKEN_PATH: tokenFile,
      MLFLOW_CA_CERT_PATH: proxy.caCertPath,
      EVALHUB_PYTHON_VENV: venvDir(),
      ...OFFLINE,
    });
    try {
      await secured.start();
      const provider = (
        await secured.request('POST', '/api/v1/evaluations/providers', {
          name: 'SDK adapter',
          benchmarks: [{ id: 'arc_easy', name: 'ARC', category: 'x', primary_score: { metric: 'acc_norm' }, pass_criteria: { threshold: 0.25 } }],
          runtime: { local: { command: `${venvBin('python')} ${path.join(ROOT, 'test', 'compat', 'sdk_adapter.py')}` } },
        })
      ).body.resource.id;
      const name = `exp-${randomUUID().slice(0, 8)}`;
      const res = await secured.request('POST', '/api/v1/evaluations/jobs', {
        name: 'behind tls',
        model: { url: fake.url, name: 'fake-model' },
        benchmarks: [{ id: 'arc_easy', provider_id: provider, parameters: { num_examples: 3 } }],
        experiment: { name },
      });
      expect(res.status).toBe(202);
      // The experiment was created through the proxy, with the first token.
      const exp = await mlflow.experimentByName(name);
      expect(res.body.resource.mlflow_experiment_id).toBe(exp.experiment_id);
      // The token rotates while the job runs: the file is read again, nothing is refused for good.
      proxy.token = 'token-two';
      fs.writeFileSync(tokenFile, proxy.token);
      const id = res.body.resource.id;
      await secured.waitForState(id, ['completed'], 120000);
      const job = await waitFor(`job ${id} tracked`, async () => {
        const j = (await secured.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
        return j.tracking?.state === 'synced' ? j : undefined;
      }, 60000, 250);
      const runs = await mlflow.runs(exp.experiment_id);
      const adapterRun = runs.find((r) => r.info.run_name === `${id}_0`);
      // The SDK adapter logged its own run through HTTPS with the token file EvalHub gave it.
      expect(adapterRun).toBeDefined();
      expect(job.results.benchmarks[0].mlflow_run_id).toBe(adapterRun.info.run_id);
      const jobRun = runs.find((r) => tagsOf(r)['evalhub.run_kind'] === 'job');
      expect(await mlflow.artifacts(jobRun.info.run_id)).toContain('evaluation-card.json');
      expect(proxy.seen.filter((r) => r.authorized).length).toBeGreaterThan(5);
    } finally {
      await secured.stop();
      await proxy.close();
    }
  });
});
