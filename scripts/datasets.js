#!/usr/bin/env node
// Pre-fills a Hugging Face cache with the datasets of catalog lm-eval benchmarks, so that workers
// (which run lm-eval with HF_HUB_OFFLINE=1 / HF_DATASETS_OFFLINE=1) can run them without network.
// Run it on a machine with network access, copy or mount the folder on the worker, and start the
// worker with HF_HOME=<that folder>. The datasets are resolved by lm-eval's own TaskManager
// (python/tools/prefill_datasets.py, in the core venv), so what is cached is what lm-eval asks for.
//
//   npm run datasets -- --collection leaderboard-v2 [--cache DIR] [--dry-run]
//   npm run datasets -- --benchmarks arc_easy,hellaswag [--include-path TASKS_DIR] [--json]
//
//   --collection ID[,ID]  the lm-eval benchmarks of these collections (config/collections/*.yaml)
//   --benchmarks A,B      lm-eval task ids of the lm_evaluation_harness provider
//   --include-path DIR    a tenant folder of lm-eval task YAMLs (then any task id of it is accepted)
//   --cache DIR           the cache to fill (default $DATA_DIR/hf-cache, else .data/hf-cache)
//   --dry-run             offline: print the tasks, the dataset each loads, and the command to run
//   --json                print the driver's report as JSON
// Exit codes: 0 done, 1 some task failed (named in the output), 2 bad arguments or no venv.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const YAML = require('yaml');

const ROOT = path.resolve(__dirname, '..');
const PROVIDER = 'lm_evaluation_harness';
const DRIVER = path.join(ROOT, 'python', 'tools', 'prefill_datasets.py');

function fail(msg) {
  console.error(`datasets: ${msg}`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { collections: [], benchmarks: [], includePath: undefined, cache: undefined, dryRun: false, json: false };
  const list = (v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) fail(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--collection':
      case '--collections':
        opts.collections.push(...list(value()));
        break;
      case '--benchmarks':
      case '--benchmark':
        opts.benchmarks.push(...list(value()));
        break;
      case '--include-path':
        opts.includePath = path.resolve(value());
        break;
      case '--cache':
        opts.cache = path.resolve(value());
        break;
      case '--dry-run':
        opts.dryRun = true;
        break;
      case '--json':
        opts.json = true;
        break;
      case '-h':
      case '--help':
        console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1).filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
        process.exit(0);
      // falls through (unreachable)
      default:
        fail(`unknown argument '${argv[i]}' (see --help)`);
    }
  }
  if (!opts.collections.length && !opts.benchmarks.length) fail('give --collection <id> or --benchmarks a,b (see --help)');
  return opts;
}

function readYamlDir(dir) {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

/** The lm-eval task ids to fill, in order, and what the collections hold that this tool does not handle. */
function resolveTasks(opts) {
  const provider = YAML.parse(fs.readFileSync(path.join(ROOT, 'config', 'providers', `${PROVIDER}.yaml`), 'utf8'));
  const known = new Set((provider.benchmarks ?? []).map((b) => b.id));
  const collections = new Map(readYamlDir(path.join(ROOT, 'config', 'collections')).map((c) => [c.id, c]));
  const tasks = [];
  const skipped = [];
  const add = (id) => {
    if (!tasks.includes(id)) tasks.push(id);
  };
  for (const id of opts.collections) {
    const c = collections.get(id);
    if (!c) fail(`no collection '${id}' (known: ${[...collections.keys()].sort().join(', ')})`);
    for (const b of c.benchmarks ?? []) {
      if (b.provider_id === PROVIDER) add(b.id);
      else skipped.push(`${b.provider_id}/${b.id}`);
    }
  }
  const unknown = opts.benchmarks.filter((id) => !known.has(id));
  if (unknown.length && !opts.includePath) fail(`not benchmarks of the ${PROVIDER} provider: ${unknown.join(', ')} (a tenant's own tasks: add --include-path DIR)`);
  opts.benchmarks.forEach(add);
  return { tasks, skipped };
}

function venvPython() {
  const marker = path.join(ROOT, '.data', 'python-venv-path');
  const venv = process.env.EVALHUB_PYTHON_VENV || (fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : '');
  const py = venv && path.join(venv, 'bin', 'python');
  if (!py || !fs.existsSync(py)) fail(`no core Python environment${venv ? ` at ${venv}` : ''}: run bash scripts/setup-python.sh first`);
  return py;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const cache = opts.cache ?? path.resolve(process.env.DATA_DIR || path.join(ROOT, '.data'), 'hf-cache');
  const { tasks, skipped } = resolveTasks(opts);
  const py = venvPython();
  const say = (line = '') => {
    if (!opts.json) console.log(line);
  };
  if (!tasks.length) fail(`no lm-eval benchmarks in ${opts.collections.join(', ')}${skipped.length ? ` (only ${skipped.join(', ')})` : ''}`);

  // A dry run must not touch the cache: the driver gets a throw-away HF_HOME and the offline switches.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-datasets-'));
  const report = path.join(scratch, 'report.json');
  const hfHome = opts.dryRun ? path.join(scratch, 'hf-home') : cache;
  if (!opts.dryRun) fs.mkdirSync(cache, { recursive: true });
  say(`lm-eval tasks (${tasks.length}): ${tasks.join(', ')}`);
  if (skipped.length) say(`not lm-eval, not handled here: ${skipped.join(', ')}`);
  say(opts.dryRun ? 'datasets each task loads (resolved offline from lm-eval task configs, nothing downloaded):' : `filling ${cache} (network on) …`);

  const args = [DRIVER, '--tasks', tasks.join(','), '--json-out', report, ...(opts.dryRun ? ['--dry-run'] : []), ...(opts.includePath ? ['--include-path', opts.includePath] : [])];
  const env = { ...process.env, HF_HOME: hfHome, PYTHONUNBUFFERED: '1' };
  for (const k of ['HF_HUB_OFFLINE', 'HF_DATASETS_OFFLINE', 'HF_EVALUATE_OFFLINE', 'TRANSFORMERS_OFFLINE', 'HF_DATASETS_CACHE', 'HF_HUB_CACHE']) delete env[k];
  // The driver's per-task lines go to our stdout; lm-eval's and datasets' chatter (progress bars,
  // warnings) to stderr in a real run, and is dropped from a dry run unless it fails.
  const run = spawnSync(py, args, {
    cwd: opts.includePath ?? ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', opts.json ? 'ignore' : 'inherit', opts.dryRun ? 'pipe' : 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const parsed = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : undefined;
  fs.rmSync(scratch, { recursive: true, force: true });
  if (!parsed) {
    if (run.stderr) process.stderr.write(run.stderr.split('\n').slice(-30).join('\n'));
    fail(`the driver failed (exit ${run.status ?? run.signal}) before reporting`);
  }
  if (opts.json) console.log(JSON.stringify({ ...parsed, cache, skipped }, null, 1));

  const which = [...opts.collections.map((c) => `--collection ${c}`), ...(opts.benchmarks.length ? [`--benchmarks ${opts.benchmarks.join(',')}`] : [])];
  if (opts.dryRun) {
    const cmd = ['npm run datasets --', ...which, ...(opts.includePath ? [`--include-path ${opts.includePath}`] : []), `--cache ${cache}`].join(' ');
    say();
    say('On a machine with network access (a checkout of EvalHub with scripts/setup-python.sh done) run:');
    say(`  ${cmd}`);
    say('or, with only the core Python environment there:');
    say(`  HF_HOME=${cache} python python/tools/prefill_datasets.py --tasks ${tasks.join(',')}`);
    say(`then copy or mount that folder on the worker, writable by the user benchmarks run as, and start the worker with HF_HOME=${cache}.`);
  } else {
    say();
    say(`Start the worker with HF_HOME=${cache} (copy or mount the folder first when the worker is another machine).`);
    say('The user benchmarks run as needs write access to it: datasets takes file locks there and caches processed rows next to the data.');
  }
  process.exit(run.status === 0 ? 0 : 1);
}

main();
