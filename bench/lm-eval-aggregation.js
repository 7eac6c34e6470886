#!/usr/bin/env node
// Issue: aggregated lm-eval runs. The same 4 small offline tasks, against the same fake model:
//   A) one EvalHub job (the native executor runs them in ONE lm-eval process), submit → completed
//   B) one lm-eval process per task, one after the other (the upstream one-Job-per-benchmark shape)
//   C) one lm-eval process per task, all at once
// Prints wall times and ratios. Needs `npm run build` and scripts/setup-python.sh first.
//   node bench/lm-eval-aggregation.js [--rounds 2]
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, venvDir, startStack, json } = require('./lib/harness');
const { createFakeModel } = require('../test/fixtures/fake-model-server.js');

const TASKS_DIR = path.join(ROOT, 'test', 'fixtures', 'lm-eval-tasks');
const TASKS = ['demo_mc', 'demo_gen', 'demo_mc2', 'demo_gen2'];
const OFFLINE = { HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', HF_EVALUATE_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' };
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 2;

function lmEval(modelUrl, tasks) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lm-eval-'));
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(venvDir(), 'bin', 'lm-eval'),
      ['run', '--model', 'local-completions', '--model_args', `base_url=${modelUrl}/completions,model=fake-model,tokenizer_backend=remote,max_length=8192`, '--include_path', TASKS_DIR, '--tasks', tasks.join(','), '--output_path', out, '--log_samples', '--seed', '0'],
      { cwd: TASKS_DIR, env: { ...process.env, ...OFFLINE }, stdio: 'ignore' },
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`lm-eval exit ${code}`))));
  });
}

async function main() {
  const fake = createFakeModel({ answers: require(path.join(TASKS_DIR, 'answers.json')) });
  const port = await fake.listen(0);
  const modelUrl = `http://127.0.0.1:${port}/v1`;
  const stack = await startStack({ EVALHUB_PYTHON_VENV: venvDir(), MAX_CONCURRENT_EVALUATIONS: '4', ...OFFLINE });
  const api = `${stack.baseUrl}/api/v1/evaluations`;
  const provider = (
    await json('POST', `${api}/providers`, {
      name: 'bench tasks',
      benchmarks: TASKS.map((id) => ({ id, name: id, category: 'x' })),
      runtime: { local: { executor: 'lm_evaluation_harness', include_path: TASKS_DIR } },
    })
  ).body.resource.id;

  const results = { aggregated: [], sequential: [], parallel: [] };
  try {
    for (let r = 0; r < rounds; r++) {
      let t = Date.now();
      const job = (await json('POST', `${api}/jobs`, { name: 'bench', model: { url: modelUrl, name: 'fake-model' }, benchmarks: TASKS.map((id) => ({ id, provider_id: provider })) })).body;
      let state;
      do {
        await new Promise((res) => setTimeout(res, 100));
        state = (await json('GET', `${api}/jobs/${job.resource.id}`)).body.status.state;
      } while (!['completed', 'failed', 'partially_failed', 'cancelled'].includes(state));
      if (state !== 'completed') throw new Error(`aggregated job ended ${state}`);
      results.aggregated.push((Date.now() - t) / 1000);

      t = Date.now();
      for (const task of TASKS) await lmEval(modelUrl, [task]);
      results.sequential.push((Date.now() - t) / 1000);

      t = Date.now();
      await Promise.all(TASKS.map((task) => lmEval(modelUrl, [task])));
      results.parallel.push((Date.now() - t) / 1000);
    }
  } finally {
    await stack.stop();
    await fake.close();
  }
  const best = (xs) => Math.min(...xs);
  const a = best(results.aggregated);
  const s = best(results.sequential);
  const p = best(results.parallel);
  console.log(`lm-eval aggregation: ${TASKS.length} tasks, ${rounds} round(s), best of each, ${os.cpus().length} cores`);
  console.log(`  A  one EvalHub job, one lm-eval process (submit → completed): ${a.toFixed(2)} s   (all: ${results.aggregated.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`  B  one lm-eval process per task, sequential:                    ${s.toFixed(2)} s   (all: ${results.sequential.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`  C  one lm-eval process per task, all at once:                   ${p.toFixed(2)} s   (all: ${results.parallel.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`  ratio separate/aggregated: sequential ${(s / a).toFixed(2)}x, parallel ${(p / a).toFixed(2)}x`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
