import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backendVenv, processesMentioning, requireBackendEnv, runDirect } from '../support/backends';
import { FakeModel, LIGHTEVAL_TASKS_DIR, startFakeModel } from '../support/fake-model';
import { waitFor } from '../support/ports';
import { EvalHubService } from '../support/service';

const KEY = 'sk-lighteval-secret-42';

/** The fixture's Lighteval task file as a tenant provider of the native executor. */
const taskProvider = () => ({
  name: 'Offline Lighteval tasks',
  title: 'Offline Lighteval tasks',
  benchmarks: [{ id: 'capitals', name: 'Capitals', category: 'knowledge', primary_score: { metric: 'exact_match' }, pass_criteria: { threshold: 0.5 } }],
  runtime: { local: { executor: 'lighteval', include_path: LIGHTEVAL_TASKS_DIR } },
});

/** Lighteval itself on the same task and model: the reference numbers. */
async function lightevalDirectly(modelUrl: string): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lighteval-direct-'));
  const model = { model_parameters: { model_name: 'openai/fake-model', base_url: modelUrl, max_model_length: 8192, api_max_retry: 1, cache_dir: path.join(dir, 'cache'), generation_parameters: { temperature: 0 } } };
  fs.writeFileSync(path.join(dir, 'model.yaml'), JSON.stringify(model));
  const bin = path.join(backendVenv('lighteval'), 'bin', 'lighteval');
  const r = await runDirect(bin, ['endpoint', 'litellm', 'model.yaml', 'capitals|0', '--custom-tasks', path.join(LIGHTEVAL_TASKS_DIR, 'evalhub_tasks.py'), '--output-dir', path.join(dir, 'out')], {
    cwd: dir,
    env: { LITELLM_LOCAL_MODEL_COST_MAP: 'True', OPENAI_API_KEY: 'x', HF_HOME: path.join(dir, 'hf') },
  });
  if (r.code !== 0) throw new Error(`direct lighteval run exited with ${r.code}: ${r.output.slice(-500)}`);
  const find = (d: string): string => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        const f = find(p);
        if (f) return f;
      } else if (/^results_.*\.json$/.test(e.name)) return p;
    }
    return '';
  };
  return JSON.parse(fs.readFileSync(find(path.join(dir, 'out')), 'utf8')).results['capitals|0'];
}

describe('Lighteval executor (real Lighteval, fake model)', () => {
  let fake: FakeModel;
  let slow: FakeModel;
  let svc: EvalHubService;
  let provider: string;

  beforeAll(async () => {
    requireBackendEnv('lighteval');
    fake = await startFakeModel();
    slow = await startFakeModel({ delayMs: 4000 });
    svc = new EvalHubService({ EVALHUB_SECRET_MODEL_KEY: KEY });
    await svc.start();
    provider = (await svc.request('POST', '/api/v1/evaluations/providers', taskProvider())).body.resource.id;
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
    await slow?.close();
  });

  it('scores a custom task like Lighteval itself; a built-in task without its dataset and a dead endpoint fail with the reason', async () => {
    const ok = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'lighteval',
      model: { url: fake.url, name: 'fake-model', auth: { secret_ref: 'env:EVALHUB_SECRET_MODEL_KEY' } },
      benchmarks: [
        { id: 'capitals', provider_id: provider },
        { id: 'hellaswag', provider_id: 'lighteval' },
      ],
    });
    expect(ok.status).toBe(202);
    const down = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'down', model: { url: 'http://127.0.0.1:9/v1', name: 'fake-model' }, benchmarks: [{ id: 'capitals', provider_id: provider }] });
    expect(down.status).toBe(202);

    const job = await svc.waitForState(ok.body.resource.id, ['completed', 'failed', 'partially_failed'], 240000);
    expect(job.status.state).toBe('partially_failed');
    const [capitals] = job.results.benchmarks;
    const reference = await lightevalDirectly(fake.url);
    expect(reference.em).toBe(0.75);
    expect(capitals.metrics).toMatchObject({ em: reference.em, em_stderr: reference.em_stderr, exact_match: reference.em });
    expect(capitals.test).toMatchObject({ primary_score_metric: 'exact_match', primary_score: 0.75, pass: true });
    // Lighteval's own stderr gives the interval (4 samples: wide, so the verdict cannot tell).
    expect(capitals.statistics.exact_match).toMatchObject({ n: 4, stderr: reference.em_stderr, method: 'backend_stderr' });
    // The details' per-sample scores, kept for paired comparisons: 3 of the 4 capitals right.
    const rows = (await svc.artifact(capitals.artifacts['evalhub.sample_scores'])).trim().split('\n').map((l: string) => JSON.parse(l));
    expect(rows).toHaveLength(4);
    expect(rows.every((x: any) => /^capitals\|0\/\d+$/.test(x.id))).toBe(true);
    expect(rows.reduce((a: number, x: any) => a + x.scores.exact_match, 0)).toBe(3);
    expect(capitals.test.verdict).toBe('inconclusive');
    expect((await svc.request('GET', capitals.artifacts['lighteval.results'])).status).toBe(200);
    expect(Object.keys(capitals.artifacts).some((k) => k.startsWith('lighteval.details.capitals'))).toBe(true);
    const hellaswag = job.status.benchmarks[1];
    expect(hellaswag.status).toBe('failed');
    expect(hellaswag.error_message.message).toMatch(/Rowan\/hellaswag/);

    // The key reached the model, and nothing else.
    const chats = fake.requests.filter((r) => r.path === '/v1/chat/completions');
    expect(chats.some((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${job.resource.id}/logs?tail_lines=-1`)).text;
    expect(logs).not.toContain(KEY);
    expect(await svc.artifact(capitals.artifacts['lighteval.results'])).not.toContain(KEY);

    const dead = await svc.waitForState(down.body.resource.id, ['completed', 'failed'], 240000);
    expect(dead.status.state).toBe('failed');
    expect(dead.status.benchmarks[0].error_message).toMatchObject({ message_code: 'model_endpoint_failed' });
    expect(dead.status.benchmarks[0].error_message.message).toMatch(/API call failed|Connection error/);
  });

  it('refuses unknown parameters and tasks Lighteval cannot score over an OpenAI-compatible API', async () => {
    const bad = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'bad', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'capitals', provider_id: provider, parameters: { max_sample: 2 } }] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('max_sample is not a parameter the lighteval backend accepts');
    const arc = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'arc', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'arc:easy', provider_id: 'lighteval' }] });
    const job = await svc.waitForState(arc.body.resource.id, ['failed'], 60000);
    expect(job.status.benchmarks[0].error_message).toMatchObject({ message_code: 'lighteval_task_unsupported' });
    expect(job.status.benchmarks[0].error_message.message).toContain('lm_evaluation_harness');
  });

  it('cancel during a run leaves no Lighteval process behind', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'cancel', model: { url: slow.url, name: 'fake-model' }, benchmarks: [{ id: 'capitals', provider_id: provider }] });
    const id = res.body.resource.id;
    await waitFor('Lighteval calling the model', async () => slow.requests.some((r) => r.path === '/v1/chat/completions') || undefined, 180000);
    expect(processesMentioning(id).length).toBeGreaterThan(0);
    const t0 = Date.now();
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    await waitFor('Lighteval gone', async () => processesMentioning(id).length === 0, 5000, 100);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body.status.state).toBe('cancelled');
  });
});
