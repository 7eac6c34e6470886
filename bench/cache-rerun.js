#!/usr/bin/env node
// The gateway's response cache on a re-run: one lm-eval job over the four bundled tasks against
// the test model (answering after a delay, like a real model's latency), then the same job again.
// Prints both wall times, the model calls each made, and the ratio, for each delay. Bounded: two
// jobs per delay. The re-run's floor is lm-eval's own start (about 7 s here).
//   npm run build && node bench/cache-rerun.js [--delays 200,1000]
const { spawn } = require('child_process');
const path = require('path');
const { ROOT, startStack, json } = require('./lib/harness');

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const DELAYS = arg('--delays', '200,1000').split(',').map(Number);
const TASKS = ['demo_gen', 'demo_gen2', 'demo_mc', 'demo_mc2'];

function startModel(delay) {
  const p = spawn(process.execPath, [path.join(ROOT, 'test', 'fixtures', 'fake-model-server.js'), '--port', '0', '--delay-ms', String(delay), '--answers', path.join(ROOT, 'test', 'fixtures', 'lm-eval-tasks', 'answers.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => p.stdout.on('data', (d) => resolve({ p, url: /(http:\/\/\S+)/.exec(String(d))[1] })));
}

async function run(base, provider, modelUrl, name) {
  const t0 = Date.now();
  const res = await json('POST', `${base}/api/v1/evaluations/jobs`, { name, model: { url: modelUrl, name: 'fake-model' }, benchmarks: TASKS.map((id) => ({ id, provider_id: provider })) });
  if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.body)}`);
  // The job's stream closes with its result: no polling.
  const stream = await fetch(`${base}/api/v1/evaluations/jobs/${res.body.resource.id}/stream`);
  for await (const _ of stream.body);
  const job = (await json('GET', `${base}/api/v1/evaluations/jobs/${res.body.resource.id}`)).body;
  return { seconds: (Date.now() - t0) / 1000, job };
}

async function main() {
  const stack = await startStack({ EVALHUB_MODEL_CACHE: 'true' });
  try {
    const provider = (
      await json('POST', `${stack.baseUrl}/api/v1/evaluations/providers`, {
        name: 'Bundled tasks',
        benchmarks: TASKS.map((id) => ({ id, name: id, category: 'reasoning' })),
        runtime: { local: { executor: 'lm_evaluation_harness', include_path: path.join(ROOT, 'test', 'fixtures', 'lm-eval-tasks') } },
      })
    ).body.resource.id;
    console.log(`lm-eval, 4 bundled tasks (one process), response cache on, ${require('os').cpus().length} cores`);
    for (const delay of DELAYS) {
      // A model of its own per delay: its origin is part of the cache key, so nothing is shared.
      const model = await startModel(delay);
      try {
        const first = await run(stack.baseUrl, provider, model.url, 'first run');
        const second = await run(stack.baseUrl, provider, model.url, 're-run');
        const usage = (j) => j.results.benchmarks[0].usage;
        const same = JSON.stringify(first.job.results.benchmarks.map((r) => r.metrics)) === JSON.stringify(second.job.results.benchmarks.map((r) => r.metrics));
        console.log(`model answering after ${delay} ms:`);
        console.log(`  first run: ${first.seconds.toFixed(1)} s, ${usage(first.job).requests} model calls (${first.job.status.state})`);
        console.log(`  re-run:    ${second.seconds.toFixed(1)} s, ${usage(second.job).requests} model calls, ${usage(second.job).cached} from the cache (${second.job.status.state})`);
        console.log(`  ratio: ${(first.seconds / second.seconds).toFixed(1)}x faster; metrics ${same ? 'identical' : 'DIFFERENT'}`);
      } finally {
        model.p.kill();
      }
    }
  } finally {
    await stack.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
