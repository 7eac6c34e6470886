import * as fs from 'fs';
import { randomUUID } from 'crypto';
import { FakeModel, startFakeModel, TASKS_DIR } from '../support/fake-model';
import { MlflowServer } from '../support/mlflow-server';
import { waitFor } from '../support/ports';
import { venvDir } from '../support/python';
import { EvalHubService } from '../support/service';

const OFFLINE = { HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', HF_EVALUATE_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' };
const TEAM_A = { 'X-Tenant': 'team-a' };
const TEAM_B = { 'X-Tenant': 'team-b' };

/** A benchmark's files through the API, wherever they are kept: the case of API and worker on different machines. */
describe('artifact downloads', () => {
  const mlflow = new MlflowServer();
  let fake: FakeModel;
  let svc: EvalHubService;
  let provider: string;

  beforeAll(async () => {
    await mlflow.start();
    fake = await startFakeModel();
    svc = new EvalHubService({ MLFLOW_TRACKING_URI: mlflow.url, EVALHUB_PYTHON_VENV: venvDir(), ...OFFLINE });
    await svc.start();
    const res = await svc.request(
      'POST',
      '/api/v1/evaluations/providers',
      {
        name: 'Offline lm-eval tasks',
        benchmarks: [{ id: 'demo_gen', name: 'demo_gen', category: 'knowledge', primary_score: { metric: 'exact_match' } }],
        runtime: { local: { executor: 'lm_evaluation_harness', include_path: TASKS_DIR } },
      },
      TEAM_A,
    );
    provider = res.body.resource.id;
  }, 180000);
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
    await mlflow.stop();
  });

  const run = async (extra: object = {}) => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'files', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'demo_gen', provider_id: provider }], ...extra }, TEAM_A);
    expect(res.status).toBe(202);
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed'], 180000, TEAM_A);
    expect(job.status.state).toBe('completed');
    return job;
  };
  /** The worker's copies gone, as when the API runs on another machine. */
  const dropWorkerFiles = (jobId: string, names: string[]) => {
    for (const n of names) {
      const p = svc.fileOnWorkerDisk(jobId, n);
      if (p) fs.rmSync(p);
    }
  };

  it('lists and downloads results, samples and the run log from the stash when the worker\'s disk is out of reach', async () => {
    const job = await run();
    const r = job.results.benchmarks[0];
    // Results carry links, not the worker's paths.
    expect(r.artifacts_url).toBe(`/api/v1/evaluations/jobs/${job.resource.id}/benchmarks/0/artifacts`);
    expect(r.artifacts['lm_eval.samples']).toMatch(new RegExp(`^/api/v1/evaluations/jobs/${job.resource.id}/benchmarks/0/artifacts/samples_demo_gen[^/]*\\.jsonl$`));
    expect(JSON.stringify(r)).not.toContain(svc.dataDir);

    const list = await svc.request('GET', r.artifacts_url, undefined, TEAM_A);
    expect(list.status).toBe(200);
    const items = list.body.items;
    expect(items.map((i: any) => i.keys).flat()).toEqual(expect.arrayContaining(['lm_eval.results', 'lm_eval.samples', 'logs']));
    expect(items.every((i: any) => i.source === 'stash' && i.size_bytes > 0)).toBe(true);

    dropWorkerFiles(job.resource.id, items.map((i: any) => i.name));
    const samples = items.find((i: any) => i.keys.includes('lm_eval.samples'));
    const res = await fetch(`${svc.baseUrl}${samples.url}`, { headers: TEAM_A });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    expect(res.headers.get('content-disposition')).toContain(`attachment; filename="${samples.name.replace(/[^\w.-]/g, '_')}"`);
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBe(samples.size_bytes);
    expect(JSON.parse(text.split('\n')[0])).toMatchObject({ doc_id: 0 });
    const log = await svc.artifact(items.find((i: any) => i.keys.includes('logs')).url, TEAM_A);
    expect(log).toContain('lm-eval run');
  });

  it("another tenant's files, other names and paths that climb out are 404s", async () => {
    const job = await run();
    const base = `/api/v1/evaluations/jobs/${job.resource.id}/benchmarks/0/artifacts`;
    const list = await svc.request('GET', base, undefined, TEAM_A);
    const name = list.body.items[0].name;
    for (const [url, headers] of [
      [base, TEAM_B],
      [`${base}/${encodeURIComponent(name)}`, TEAM_B],
      [`${base}/..%2F..%2F..%2Fetc%2Fpasswd`, TEAM_A],
      [`${base}/%2Fetc%2Fpasswd`, TEAM_A],
      [`${base}/not-a-file.json`, TEAM_A],
      [`/api/v1/evaluations/jobs/${job.resource.id}/benchmarks/7/artifacts`, TEAM_A],
      [`/api/v1/evaluations/jobs/${job.resource.id}/benchmarks/x/artifacts`, TEAM_A],
    ] as [string, Record<string, string>][]) {
      const res = await svc.request('GET', url, undefined, headers);
      expect([url, res.status, res.body.message_code]).toEqual([url, 404, 'resource_not_found']);
    }
    const extra = await svc.request('GET', `${base}?x=1`, undefined, TEAM_A);
    expect(extra.status).toBe(400);
  });

  it("an adapter's files are served from the worker's disk; what lies outside the job's folder is not", async () => {
    const adapter = await svc.createTestProvider(TEAM_A);
    const res = await svc.request(
      'POST',
      '/api/v1/evaluations/jobs',
      {
        name: 'adapter files',
        model: { url: fake.url, name: 'fake-model' },
        benchmarks: [{ id: 'alpha', provider_id: adapter, parameters: { files: { 'report.txt': 'all good' }, links: { 'leak.txt': '/etc/hostname' }, artifacts: { passwd: '/etc/passwd' } } }],
      },
      TEAM_A,
    );
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed'], 60000, TEAM_A);
    const r = job.results.benchmarks[0];
    // Outside the job's folder: shown as reported, never as a link.
    expect(r.artifacts.passwd).toBe('/etc/passwd');
    const items = (await svc.request('GET', r.artifacts_url, undefined, TEAM_A)).body.items;
    expect(items.map((i: any) => [i.name, i.source])).toEqual(expect.arrayContaining([['report.txt', 'worker_disk']]));
    expect(items.map((i: any) => i.name)).not.toContain('leak.txt');
    expect(items.map((i: any) => i.name)).not.toContain('passwd');
    expect(await svc.artifact(r.artifacts['report.txt'], TEAM_A)).toBe('all good');
    // The symlink is in the job's folder, but what it points to is not: no download.
    const leak = await svc.request('GET', r.artifacts['leak.txt'], undefined, TEAM_A);
    expect([leak.status, leak.body.message_code]).toEqual([404, 'resource_not_found']);
  });

  it('once recorded in MLflow the files come from the benchmark\'s run; results link to the run page', async () => {
    const job = await run({ experiment: { name: `files-${randomUUID().slice(0, 8)}` } });
    const synced = await waitFor(
      'tracked',
      async () => {
        const j = (await svc.request('GET', `/api/v1/evaluations/jobs/${job.resource.id}`, undefined, TEAM_A)).body;
        return j.tracking?.state === 'synced' ? j : undefined;
      },
      120000,
      250,
    );
    const r = synced.results.benchmarks[0];
    expect(synced.results.mlflow_experiment_url).toBe(`${mlflow.url}/#/experiments/${synced.resource.mlflow_experiment_id}/runs`);
    expect(r.mlflow_run_url).toMatch(new RegExp(`^${mlflow.url}/#/experiments/${synced.resource.mlflow_experiment_id}/runs/[0-9a-f]{32}$`));

    const listed = (await svc.request('GET', r.artifacts_url, undefined, TEAM_A)).body.items;
    dropWorkerFiles(job.resource.id, listed.map((i: any) => i.name));
    const items = (await svc.request('GET', r.artifacts_url, undefined, TEAM_A)).body.items;
    const samples = items.find((i: any) => i.keys.includes('lm_eval.samples'));
    expect(samples).toMatchObject({ source: 'mlflow', size_bytes: expect.any(Number) });
    const text = await svc.artifact(samples.url, TEAM_A);
    expect(Buffer.byteLength(text)).toBe(samples.size_bytes);
    expect(JSON.parse(text.split('\n')[0])).toMatchObject({ doc_id: 0 });
  });
});
