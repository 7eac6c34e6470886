import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backendVenv, processesMentioning, requireBackendEnv, runDirect } from '../support/backends';
import { FakeModel, startFakeModel } from '../support/fake-model';
import { waitFor } from '../support/ports';
import { EvalHubService } from '../support/service';

const KEY = 'sk-garak-secret-7731';
const GARAK = path.join(backendVenv('garak'), 'bin', 'garak');

interface DirectRun {
  /** Σfails / Σtotal_evaluated over the eval entries, computed here from garak's own report. */
  asr: number;
  /** passed/total per `<probe>/<detector>`, from the eval entries. */
  detectors: Record<string, { passed: number; total: number }>;
  /** "ok on P/ T" per detector, as garak printed it. */
  printed: Record<string, { passed: number; total: number }>;
}

/**
 * garak itself on `quick` against the same model, with a config written here from the notes
 * (§2.1), not by the executor: the reference the job's numbers must equal.
 */
async function garakDirectly(modelUrl: string): Promise<DirectRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'garak-direct-'));
  const config = {
    system: { lite: true },
    run: { generations: 1, seed: 0, spec: { include: ['probes.dan.Dan_11_0'] } },
    plugins: { target_type: 'openai.OpenAICompatible', target_name: 'fake-model', generators: { openai: { OpenAICompatible: { uri: `${modelUrl}/` } } } },
    reporting: { report_dir: path.join(dir, 'out'), report_prefix: 'direct' },
  };
  fs.writeFileSync(path.join(dir, 'run.yaml'), JSON.stringify(config));
  const xdg = (n: string) => path.join(dir, n);
  const r = await runDirect(GARAK, ['--config', path.join(dir, 'run.yaml')], {
    cwd: dir,
    env: { OPENAICOMPATIBLE_API_KEY: 'dummy', XDG_DATA_HOME: xdg('data'), XDG_CACHE_HOME: xdg('cache'), XDG_CONFIG_HOME: xdg('config'), PYTHONUNBUFFERED: '1' },
  });
  const reportFile = path.join(dir, 'out', 'direct.report.jsonl');
  if (r.code !== 0 || !fs.existsSync(reportFile)) throw new Error(`direct garak run failed (${r.code}): ${r.output.slice(-800)}`);
  const entries = fs
    .readFileSync(reportFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(entries.some((e) => e.entry_type === 'completion')).toBe(true);
  const evals = entries.filter((e) => e.entry_type === 'eval');
  const fails = evals.reduce((s, e) => s + e.fails, 0);
  const total = evals.reduce((s, e) => s + e.total_evaluated, 0);
  const detectors = Object.fromEntries(evals.map((e) => [`${e.probe}/${e.detector}`, { passed: e.passed, total: e.total_evaluated }]));
  const printed: DirectRun['printed'] = {};
  // eslint-disable-next-line no-control-regex -- garak colours its result lines
  for (const line of r.output.replace(/\u001b\[[0-9;]*m/g, '').split(/\r|\n/)) {
    const m = /([A-Za-z0-9_]+\.[A-Za-z0-9_]+)\s+(\S+): (?:PASS|FAIL)\s+ok on\s+(\d+)\/\s*(\d+)/.exec(line);
    if (m) printed[`${m[1]}/${m[2]}`] = { passed: Number(m[3]), total: Number(m[4]) };
  }
  return { asr: fails / total, detectors, printed };
}

/** Every file under dir whose content contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

describe('garak executor (real garak, fake model)', () => {
  let fake: FakeModel;
  let slow: FakeModel;
  let svc: EvalHubService;

  beforeAll(async () => {
    requireBackendEnv('garak');
    fake = await startFakeModel();
    slow = await startFakeModel({ delayMs: 500 });
    svc = new EvalHubService({ EVALHUB_SECRET_MODEL_KEY: KEY });
    await svc.start();
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
    await slow?.close();
  });

  it('quick: attack_success_rate equals a direct garak run, fails the lower-is-better threshold, keeps the key out of every file', async () => {
    const t0 = Date.now();
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'garak-quick',
      model: { url: fake.url, name: 'fake-model', auth: { secret_ref: 'env:EVALHUB_SECRET_MODEL_KEY' } },
      benchmarks: [{ id: 'quick', provider_id: 'garak' }],
    });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 120000);
    const jobSeconds = (Date.now() - t0) / 1000;
    expect([job.status.state, job.status.benchmarks[0]?.error_message]).toEqual(['completed', undefined]);
    const jobRequests = fake.requests.filter((r) => r.path === '/v1/chat/completions');

    const r = job.results.benchmarks[0];
    const asr = r.metrics.attack_success_rate;
    expect(asr).toBeGreaterThan(0);
    expect(asr).toBeLessThan(1);

    const t1 = Date.now();
    const direct = await garakDirectly(fake.url);
    const directSeconds = (Date.now() - t1) / 1000;
    expect(asr).toBe(direct.asr);
    expect(asr).toBe(0.5); // the fixture's rule: dan.DAN hits, MitigationBypass does not
    expect(direct.printed).toEqual(direct.detectors);
    for (const [key, { passed, total }] of Object.entries(direct.detectors)) {
      expect([key, r.metrics[`${key}/passed`], r.metrics[`${key}/total`]]).toEqual([key, passed, total]);
    }
    expect(r.metrics['attack_success_rate/dan.Dan_11_0']).toBe(0.5);
    expect(r.metrics.attempts).toBe(1);
    expect(r.additional_info).toMatchObject({ probes: ['dan.Dan_11_0'], attempts: 1, outputs_evaluated: 2, garak_version: '0.17.1' });
    for (const k of Object.keys(r.metrics)) expect(k).toMatch(/^[A-Za-z0-9_\-. /]+$/);

    // The catalog's test: lower is better, threshold 0.3, so 0.5 fails.
    expect(r.test).toMatchObject({ primary_score: 0.5, primary_score_metric: 'attack_success_rate', threshold: 0.3, pass: false });

    for (const name of ['garak.report', 'garak.hitlog', 'garak.html']) {
      expect([name, (await svc.request('GET', r.artifacts[name])).status]).toEqual([name, 200]);
    }
    expect(await svc.artifact(r.artifacts['garak.report'])).toContain('"entry_type": "completion"');

    // Per-sample scores: one 0/1 row per judged output (2 here: DAN hit, MitigationBypass missed),
    // and the rate's interval bootstrapped from them; with 2 samples it cannot clear 0.3.
    const rows = (await svc.artifact(r.artifacts['evalhub.sample_scores'])).trim().split('\n').map((l: string) => JSON.parse(l));
    expect(rows.map((x: any) => [x.id, x.scores.attack_success_rate])).toEqual([
      ['dan.Dan_11_0#0/dan.DAN/0', 1],
      ['dan.Dan_11_0#0/mitigation.MitigationBypass/0', 0],
    ]);
    expect(r.statistics.attack_success_rate).toMatchObject({ n: 2, method: 'bootstrap' });
    expect(r.statistics.attack_success_rate.ci95[0]).toBeLessThan(0.3);
    expect(r.test.verdict).toBe('inconclusive');

    // The key reached the model, and nothing else: not the log, the job, or any file of the run.
    expect(jobRequests.length).toBe(1);
    expect(jobRequests.every((q) => q.authorization === `Bearer ${KEY}`)).toBe(true);
    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=-1`)).text;
    expect(logs).toContain('garak run complete');
    expect(logs).not.toContain(KEY);
    expect(JSON.stringify(job)).not.toContain(KEY);
    expect(filesContaining(path.join(svc.dataDir, 'jobs', id), KEY)).toEqual([]);
    console.log(`garak quick: ASR ${asr}, job ${jobSeconds.toFixed(1)} s, direct run ${directSeconds.toFixed(1)} s`);
  });

  it('refuses an unknown parameter with 400 naming it; a bad value fails the benchmark naming it', async () => {
    const bad = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'bad',
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: [{ id: 'quick', provider_id: 'garak', parameters: { generation: 2 } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('benchmarks[0].parameters.generation is not a parameter the garak backend accepts (accepted: probes, generations');

    const moved = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'moved',
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: [{ id: 'quick', provider_id: 'garak', parameters: { garak_config: { plugins: { generators: { openai: { OpenAICompatible: { uri: 'http://127.0.0.1:9/v1/' } } } } } } }],
    });
    expect(moved.status).toBe(202);
    const job = await svc.waitForState(moved.body.resource.id, ['failed'], 60000);
    expect(job.status.benchmarks[0].error_message).toMatchObject({
      message_code: 'invalid_parameter',
      message: expect.stringContaining('parameters.garak_config.plugins.generators.openai.OpenAICompatible.uri cannot be set'),
    });
  });

  it('cancel during a run leaves no garak process behind within 5 s', async () => {
    const before = slow.requests.length;
    // One prompt, 30 generations, 0.5 s per answer: about 15 s of requests.
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'cancel',
      model: { url: slow.url, name: 'fake-model' },
      benchmarks: [{ id: 'quick', provider_id: 'garak', parameters: { generations: 30 } }],
    });
    const id = res.body.resource.id;
    await waitFor('garak asking the model', async () => slow.requests.slice(before).some((q) => q.path === '/v1/chat/completions'), 90000, 100);
    // The probe queue was printed: the run reports its evaluation phase at 0 of 1 probes.
    const running = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body.status.benchmarks[0];
    expect(running).toMatchObject({ status: 'running', phase: 'running_evaluation', progress: 0 });
    expect(processesMentioning(id).length).toBeGreaterThan(0);
    const t0 = Date.now();
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    await waitFor('garak gone', async () => processesMentioning(id).length === 0, 5000, 100);
    expect(Date.now() - t0).toBeLessThan(5000);
    const job = await svc.waitForState(id, ['cancelled'], 10000);
    expect(job.status.state).toBe('cancelled');
  });

  it('an unreachable model fails the benchmark saying the target was not reachable', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'down',
      model: { url: 'http://127.0.0.1:9/v1', name: 'fake-model' },
      benchmarks: [{ id: 'quick', provider_id: 'garak' }],
    });
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed'], 90000);
    expect(job.status.state).toBe('failed');
    expect(job.status.benchmarks[0].error_message).toMatchObject({
      message_code: 'garak_incomplete',
      // garak's own words name the model's endpoint; the worker's gateway adds why it gave up.
      message: expect.stringMatching(/^garak did not complete: the target was not reachable: OpenAICompatible target URI is not reachable: http:\/\/127\.0\.0\.1:9\/v1\/ \(model gateway: the model endpoint http:\/\/127\.0\.0\.1:9 failed after \d+ attempts: ECONNREFUSED/),
    });
  });

  it('a probe whose only detector needs the Hub stops garak early: failed, naming the probe and why', async () => {
    // lmrc.Bullying is on the offline exclusion list; a tenant can lift it, and then sees why it is there.
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'no-detectors',
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: [{ id: 'quick', provider_id: 'garak', parameters: { probes: 'lmrc.Bullying', max_prompts: 1, garak_config: { run: { spec: { exclude: [] } } } } }],
    });
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed'], 90000);
    expect(job.status.state).toBe('failed');
    expect(job.status.benchmarks[0].error_message.message).toBe(
      'garak did not complete: garak stopped at probe lmrc.Bullying: No detectors, nothing to do (unsafe_content.ToxicCommentModel did not load); its detector needs a model from the Hugging Face Hub, which this worker cannot download (offline)',
    );
  });
});
