import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeModel, startFakeModel } from '../support/fake-model';
import { pythonEnv, venvBin, venvDir } from '../support/python';
import { EvalHubService, ROOT } from '../support/service';

// Issue 14: the offline datasets path. `npm run datasets` resolves which Hugging Face datasets the
// catalog's lm-eval tasks load (through lm-eval's own task configs), and a worker started with
// HF_HOME=<a pre-filled cache> runs a Hub-dataset task with the offline switches on. No network
// here: a Hub-style dataset is built locally in the `datasets` cache layout instead of downloaded,
// and HF_ENDPOINT points at a closed port, so any attempt to reach a hub fails at once.

const NO_HUB = { HF_ENDPOINT: 'http://127.0.0.1:9' };
const OFFLINE = { HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', HF_EVALUATE_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' };
const REPO = 'evalhub-test/tiny_qa';
const ROWS = [
  { question: 'What colour is the sky on a clear day?', answer: 'blue' },
  { question: 'What is 2 plus 2?', answer: '4' },
  { question: 'Which planet is the largest?', answer: 'Jupiter' },
  { question: 'At what Celsius temperature does water boil?', answer: '100' },
];
// The fake model knows three answers, and gets the fourth wrong: exact_match 0.75.
const ANSWERS = [
  { match: 'colour is the sky on a clear day\\?\\nA:$', answer: 'blue' },
  { match: 'What is 2 plus 2\\?\\nA:$', answer: '4' },
  { match: 'Which planet is the largest\\?\\nA:$', answer: 'Jupiter' },
  { match: 'does water boil\\?\\nA:$', answer: '90' },
];

function taskYaml(task: string, datasetPath: string): string {
  return [
    `task: ${task}`,
    `dataset_path: ${datasetPath}`,
    'test_split: test',
    'output_type: generate_until',
    'doc_to_text: "Q: {{question}}\\nA:"',
    'doc_to_target: "{{answer}}"',
    'generation_kwargs:',
    '  until: ["\\n"]',
    '  do_sample: false',
    '  temperature: 0.0',
    '  max_gen_toks: 16',
    'metric_list:',
    '  - metric: exact_match',
    '    aggregation: mean',
    '    higher_is_better: true',
    '    ignore_case: true',
    '    ignore_punctuation: true',
    'metadata:',
    '  version: 1.0',
    '',
  ].join('\n');
}

// Builds REPO in HF_HOME/datasets exactly where `datasets` keeps a Hub dataset it has loaded
// (<namespace>___<name>/<config>/<version>/<hash>/), which is where load_dataset looks when
// offline. The Json builder cannot be given repo_id together with local data_files (datasets 5.2
// refuses files outside the repo), so it is built without, then pointed at the repo's folder.
const BUILD = `
import json, sys
from datasets.packaged_modules.json.json import Json
cache_dir, repo, config, files = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
b = Json(cache_dir=cache_dir, dataset_name=repo.split('/')[-1], config_name=config, hash='0e0a1b2c3d4e5f60', data_files=files)
b.repo_id, b.config_id = repo, config
b._cache_dir = b._build_cache_dir()
b.download_and_prepare()
print(b.cache_dir)
`;

/** Builds `repo` (subset `config`) in hfHome from rows per split, as BUILD describes; returns the folder. */
function buildCachedDataset(hfHome: string, work: string, repo: string, config: string, splits: Record<string, object[]>): SpawnSyncReturns<string> {
  const files: Record<string, string> = {};
  for (const [split, rows] of Object.entries(splits)) {
    files[split] = path.join(work, `${repo.replace('/', '_')}_${config}_${split}.jsonl`);
    fs.writeFileSync(files[split], rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  const built = spawnSync(venvBin('python'), ['-c', BUILD, path.join(hfHome, 'datasets'), repo, config, JSON.stringify(files)], { env: pythonEnv({ HF_HOME: hfHome, ...NO_HUB }), encoding: 'utf8' });
  for (const f of Object.values(files)) fs.rmSync(f); // the cache alone must be enough
  return built;
}

// A few ARC-Easy items in the layout of allenai/ai2_arc: the catalog's arc_easy (risk category
// low) can run offline; its partner hellaswag (Rowan/hellaswag) is deliberately not cached.
const arcItem = (i: number) => ({
  id: `Mercury_${7000 + i}`,
  question: `Which of these is item ${i} of a tiny science quiz?`,
  choices: { text: [`answer ${i}`, 'a rock', 'the moon', 'water'], label: ['A', 'B', 'C', 'D'] },
  answerKey: 'A',
});

function datasetsTool(args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'datasets.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...NO_HUB, EVALHUB_PYTHON_VENV: venvDir() },
    encoding: 'utf8',
    timeout: 120000,
  });
}

/** Every file and folder under dir readable and writable by anyone (the worker's run user, `nobody` for a root worker). */
function openUp(dir: string): void {
  fs.chmodSync(dir, 0o777);
  for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, f.name);
    if (f.isDirectory()) openUp(p);
    else fs.chmodSync(p, 0o666);
  }
}

describe('npm run datasets --dry-run (offline)', () => {
  it('names the Hub datasets of a catalog collection and of a catalog benchmark, and the command to fill them', () => {
    const cache = path.join(os.tmpdir(), `evalhub-unfilled-${process.pid}`);
    const run = datasetsTool(['--collection', 'safety-and-fairness-v1', '--benchmarks', 'arc_easy', '--cache', cache, '--dry-run']);
    expect([run.status, run.stderr]).toEqual([0, '']);
    const out = run.stdout;
    expect(out).toContain('lm-eval tasks (7): truthfulqa_mc1, toxigen, winogender, crows_pairs_english, bbq, ethics_cm, arc_easy');
    expect(out).toMatch(/^ {2}arc_easy: allenai\/ai2_arc ARC-Easy$/m);
    expect(out).toMatch(/^ {2}truthfulqa_mc1: truthfulqa\/truthful_qa multiple_choice$/m);
    expect(out).toMatch(/^ {2}ethics_cm: EleutherAI\/hendrycks_ethics commonsense$/m);
    // A tag expands to its tasks, each with its own subset.
    expect(out).toMatch(/^winogender: 7 task\(s\)$/m);
    expect(out).toMatch(/^ {2}winogender_gotcha: oskarvanderwal\/winogender gotcha$/m);
    expect(out).toContain(`npm run datasets -- --collection safety-and-fairness-v1 --benchmarks arc_easy --cache ${cache}`);
    expect(out).toContain(`HF_HOME=${cache}`);
    // A dry run leaves the cache alone.
    expect(fs.existsSync(cache)).toBe(false);
  });

  it('refuses ids that are not lm-eval catalog benchmarks, and reports tasks this lm-eval does not know', () => {
    const bad = datasetsTool(['--benchmarks', 'arc_easy,no_such_task', '--dry-run']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('not benchmarks of the lm_evaluation_harness provider: no_such_task');
    const json = datasetsTool(['--collection', 'long-context-v1', '--dry-run', '--json']);
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.benchmarks.map((b: any) => b.benchmark)).toEqual(['mrcr', 'mrcr_2needle', 'mrcr_4needle', 'mrcr_8needle']);
    expect(report.benchmarks[0].error).toMatch(/'mrcr' is not a task, group or tag of lm-eval/);
  });
});

describe('lm-eval with a pre-filled Hugging Face cache (HF_HOME of the worker), offline', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-offline-ds-'));
  const hfHome = path.join(tmp, 'hf-cache');
  const tasksDir = path.join(tmp, 'tasks');
  let fake: FakeModel;
  let svc: EvalHubService;
  let provider: string;
  let loaded: SpawnSyncReturns<string>;

  beforeAll(async () => {
    fs.mkdirSync(path.join(hfHome, 'datasets'), { recursive: true });
    fs.mkdirSync(tasksDir);
    const built = buildCachedDataset(hfHome, tmp, REPO, 'default', { test: ROWS });
    expect([built.status, built.stderr.slice(-2000)]).toEqual([0, expect.any(String)]);
    expect(built.stdout.trim()).toBe(path.join(hfHome, 'datasets', 'evalhub-test___tiny_qa', 'default', '0.0.0', '0e0a1b2c3d4e5f60'));
    const arc = buildCachedDataset(hfHome, tmp, 'allenai/ai2_arc', 'ARC-Easy', {
      train: [0, 1, 2, 3, 4, 5].map(arcItem),
      validation: [6, 7].map(arcItem),
      test: [8, 9, 10].map(arcItem),
    });
    expect([arc.status, arc.stderr.slice(-2000)]).toEqual([0, expect.any(String)]);
    // Plain `datasets`, offline, reads it back (the job below does the same through lm-eval).
    loaded = spawnSync(venvBin('python'), ['-c', `import datasets; d = datasets.load_dataset('${REPO}'); print(d['test'].num_rows, d['test'][0]['answer'])`], {
      env: pythonEnv({ HF_HOME: hfHome, ...NO_HUB }),
      encoding: 'utf8',
    });
    // Last, so it covers the lock files that load just made: datasets takes file locks in the
    // cache even to read (and caches processed rows next to the data), so the run user (nobody
    // for a root worker) needs write access to it, not just read.
    openUp(tmp);

    fs.writeFileSync(path.join(tasksDir, 'tiny_qa.yaml'), taskYaml('evalhub_tiny_qa', REPO));
    fs.writeFileSync(path.join(tasksDir, 'not_cached.yaml'), taskYaml('evalhub_not_cached', 'evalhub-test/not_cached'));
    fs.chmodSync(path.join(tasksDir, 'tiny_qa.yaml'), 0o644);
    fs.chmodSync(path.join(tasksDir, 'not_cached.yaml'), 0o644);

    fake = await startFakeModel({ answersFirst: ANSWERS });
    svc = new EvalHubService({ EVALHUB_PYTHON_VENV: venvDir(), HF_HOME: hfHome, ...OFFLINE, ...NO_HUB });
    await svc.start();
    const res = await svc.request('POST', '/api/v1/evaluations/providers', {
      name: 'Hub-dataset tasks',
      title: 'Hub-dataset tasks',
      benchmarks: ['evalhub_tiny_qa', 'evalhub_not_cached'].map((id) => ({ id, name: id, category: 'knowledge', primary_score: { metric: 'exact_match' }, pass_criteria: { threshold: 0.5 } })),
      runtime: { local: { executor: 'lm_evaluation_harness', include_path: tasksDir } },
    });
    expect(res.status).toBe(201);
    provider = res.body.resource.id;
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the dataset loads from the cache with the offline switches on (plain datasets)', () => {
    expect([loaded.status, loaded.stdout.trim()]).toEqual([0, '4 blue']);
    expect(loaded.stderr).toContain(`Using the latest cached version of the dataset since ${REPO}`);
  });

  it('the dry run resolves a tenant task to its Hub dataset', () => {
    const run = datasetsTool(['--benchmarks', 'evalhub_tiny_qa', '--include-path', tasksDir, '--dry-run', '--json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.benchmarks[0].tasks).toEqual([expect.objectContaining({ task: 'evalhub_tiny_qa', dataset_path: REPO, dataset_name: null })]);
  });

  it('a job on a Hub-dataset task completes with metrics from the cached rows, without network', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'offline-hub-dataset',
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: [{ id: 'evalhub_tiny_qa', provider_id: provider }],
    });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    const job = await svc.waitForState(id, ['completed', 'failed', 'partially_failed'], 150000);
    const logs = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=-1`)).text;
    expect([job.status.state, job.status.benchmarks[0].error_message?.message]).toEqual(['completed', undefined]);
    const r = job.results.benchmarks[0];
    expect(r.metrics.exact_match).toBeCloseTo(0.75, 6);
    expect(r.additional_info.num_examples_evaluated).toBe(4);
    // lm-eval asked the Hub, was told it is offline, and used the cached copy.
    expect(logs).toContain(`Using the latest cached version of the dataset since ${REPO} couldn't be found on the Hugging Face Hub (offline mode is enabled)`);
    // The four questions reached the model: the rows came from the cache.
    const prompts = fake.requests.map((q) => JSON.stringify(q.body ?? {}));
    for (const row of ROWS) expect(prompts.some((p) => p.includes(row.question))).toBe(true);
  });

  it('risk_category low with hellaswag\'s dataset missing: arc_easy runs from the cache, hellaswag fails with its own message', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'offline-risk-low', model: { url: fake.url, name: 'fake-model' }, risk_category: 'low' });
    expect(res.status).toBe(202);
    expect(res.body.benchmarks.map((b: any) => b.id)).toEqual(['hellaswag', 'arc_easy']);
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed', 'partially_failed'], 240000);
    expect(job.status.state).toBe('partially_failed');
    const [hellaswag, arc] = [0, 1].map((i) => job.status.benchmarks.find((b: any) => b.benchmark_index === i));
    expect([arc.id, arc.status, arc.error_message?.message]).toEqual(['arc_easy', 'completed', undefined]);
    expect([hellaswag.id, hellaswag.status]).toEqual(['hellaswag', 'failed']);
    expect(hellaswag.error_message.message).toContain('Rowan/hellaswag');
    expect(hellaswag.error_message.message).not.toContain('ai2_arc');
    const result = job.results.benchmarks.find((r: any) => r.benchmark_index === 1);
    expect(result.metrics.acc).toEqual(expect.any(Number));
    expect(result.additional_info.num_examples_evaluated).toBe(3); // the cached test split, under num_examples 100
  });

  it('a task whose dataset is not in the cache fails with a message that names it', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'offline-missing-dataset',
      model: { url: fake.url, name: 'fake-model' },
      benchmarks: [{ id: 'evalhub_not_cached', provider_id: provider }],
    });
    const job = await svc.waitForState(res.body.resource.id, ['completed', 'failed', 'partially_failed'], 150000);
    expect(job.status.state).toBe('failed');
    expect(job.status.benchmarks[0].error_message.message).toContain('evalhub-test/not_cached');
  });
});
