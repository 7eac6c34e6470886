import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backendVenv, processesMentioning, requireBackendEnv, runDirect } from '../support/backends';
import { FakeModel, RAGAS_DATASET, startFakeModel } from '../support/fake-model';
import { waitFor } from '../support/ports';
import { EvalHubService, ROOT } from '../support/service';

const KEY = 'sk-ragas-secret-77';
const DRIVER = path.join(ROOT, 'python', 'drivers', 'ragas_eval.py');
const METRICS = ['faithfulness', 'answer_relevancy', 'context_precision', 'context_recall'];

/** The driver run by hand on the same data and model: the reference numbers. */
async function ragasDirectly(modelUrl: string): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ragas-direct-'));
  const config = { model_url: modelUrl, model_name: 'fake-model', dataset_path: RAGAS_DATASET, metrics: METRICS, output_dir: dir };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const r = await runDirect(path.join(backendVenv('ragas'), 'bin', 'python'), [DRIVER, path.join(dir, 'config.json')], { cwd: dir, env: { RAGAS_DO_NOT_TRACK: 'true' } });
  if (r.code !== 0) throw new Error(`direct RAGAS run exited with ${r.code}: ${r.output.slice(-500)}`);
  return JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')).metrics;
}

describe('RAGAS executor (real RAGAS, the test model as judge)', () => {
  let fake: FakeModel;
  let slow: FakeModel;
  let svc: EvalHubService;

  beforeAll(async () => {
    requireBackendEnv('ragas');
    fake = await startFakeModel();
    slow = await startFakeModel({ delayMs: 3000 });
    svc = new EvalHubService({ EVALHUB_SECRET_MODEL_KEY: KEY });
    await svc.start();
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
    await slow?.close();
  });

  it('scores a RAG dataset with the catalog benchmark like the driver run by hand; the key stays out of results', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'ragas',
      model: { url: fake.url, name: 'fake-model', auth: { secret_ref: 'env:EVALHUB_SECRET_MODEL_KEY' } },
      benchmarks: [{ id: 'ragas_rag_default', provider_id: 'ragas', parameters: { dataset_path: RAGAS_DATASET } }],
    });
    expect(res.status).toBe(202);
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed'], 180000);
    expect([job.status.state, job.status.benchmarks[0].error_message?.message]).toEqual(['completed', undefined]);
    const r = job.results.benchmarks[0];
    const reference = await ragasDirectly(fake.url);
    expect(Object.keys(r.metrics).sort()).toEqual([...METRICS].sort());
    for (const m of METRICS) expect([m, r.metrics[m]]).toEqual([m, reference[m]]);
    expect(r.metrics.faithfulness).toBe(1);
    expect(r.test).toMatchObject({ primary_score_metric: 'faithfulness', threshold: 0.5, pass: true });
    expect(r.additional_info.rows).toBe(5);
    const scores = (await svc.artifact(r.artifacts['ragas.scores'])).trim().split('\n');
    expect(scores).toHaveLength(5);
    expect(JSON.parse(scores[0]).scores.faithfulness).toBe(1);
    // Intervals from the per-row scores (RAGAS reports no stderr); every row scored 1: a point.
    expect(r.statistics.faithfulness).toEqual({ n: 5, stderr: 0, ci95: [1, 1], method: 'bootstrap' });
    expect(r.test.verdict).toBe('pass');
    expect((await svc.artifact(r.artifacts['evalhub.sample_scores'])).trim().split('\n')).toHaveLength(5);
    // The judge and the embeddings were called with the key; logs and files never show it.
    expect(fake.requests.some((q) => q.path === '/v1/embeddings' && q.authorization === `Bearer ${KEY}`)).toBe(true);
    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${job.resource.id}/logs?tail_lines=-1`)).text;
    expect(logs).not.toContain(KEY);
    expect(await svc.artifact(r.artifacts['ragas.results'])).not.toContain(KEY);
  });

  it('says what is wrong: a missing dataset, a dead endpoint, an unknown parameter', async () => {
    const noData = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'nodata', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'ragas_rag_default', provider_id: 'ragas', parameters: { dataset_path: '/nope/rag.jsonl' } }] });
    const down = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'down', model: { url: 'http://127.0.0.1:9/v1', name: 'fake-model' }, benchmarks: [{ id: 'ragas_rag_default', provider_id: 'ragas', parameters: { dataset_path: RAGAS_DATASET } }] });
    const a = await svc.waitForState(noData.body.resource.id, ['completed', 'failed'], 120000);
    expect(a.status.benchmarks[0].error_message).toMatchObject({ message_code: 'ragas_input_invalid' });
    expect(a.status.benchmarks[0].error_message.message).toContain('dataset not found: /nope/rag.jsonl');
    const b = await svc.waitForState(down.body.resource.id, ['completed', 'failed'], 120000);
    expect(b.status.benchmarks[0].error_message).toMatchObject({ message_code: 'model_endpoint_unreachable' });
    expect(b.status.benchmarks[0].error_message.message).toContain('http://127.0.0.1:9/v1');

    const bad = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'bad', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'ragas_rag_default', provider_id: 'ragas', parameters: { datset_path: RAGAS_DATASET } }] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('datset_path is not a parameter the ragas backend accepts (accepted: metrics, dataset_path');
  });

  it('cancel during a run leaves no driver process behind', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'cancel', model: { url: slow.url, name: 'fake-model' }, benchmarks: [{ id: 'ragas_rag_default', provider_id: 'ragas', parameters: { dataset_path: RAGAS_DATASET } }] });
    const id = res.body.resource.id;
    await waitFor('RAGAS calling the judge', async () => slow.requests.some((r) => r.path === '/v1/chat/completions') || undefined, 120000);
    expect(processesMentioning(id).length).toBeGreaterThan(0);
    const t0 = Date.now();
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    await waitFor('driver gone', async () => processesMentioning(id).length === 0, 5000, 100);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
