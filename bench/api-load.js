#!/usr/bin/env node
// Load on the running API over loopback: submit jobs, read them, list them, post adapter events.
// Prints requests/s and p50/p99 latency per operation. Bounded: each phase sends a fixed number
// of requests from a fixed number of concurrent clients, then stops.
//   node bench/api-load.js [--requests 3000] [--concurrency 32] [--base-url http://127.0.0.1:8080]
// Without --base-url it starts its own API (no worker, so jobs stay pending) and Redis.
const { startStack, percentile } = require('./lib/harness');

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const REQUESTS = Number(arg('--requests', '3000'));
const CONCURRENCY = Number(arg('--concurrency', '32'));

async function phase(name, fn) {
  const lat = [];
  let next = 0;
  let errors = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const s = process.hrtime.bigint();
        const ok = await fn(i).catch(() => false);
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (!ok) errors++;
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort((a, b) => a - b);
  const row = { name, rps: REQUESTS / secs, p50: percentile(lat, 50), p99: percentile(lat, 99), errors };
  console.log(`  ${name.padEnd(22)} ${row.rps.toFixed(0).padStart(7)} req/s   p50 ${row.p50.toFixed(2).padStart(7)} ms   p99 ${row.p99.toFixed(2).padStart(7)} ms   errors ${errors}`);
  return row;
}

async function main() {
  const external = arg('--base-url');
  const stack = external ? undefined : await startStack({ NO_WORKER: '1' });
  const base = `${external ?? stack.baseUrl}/api/v1/evaluations`;
  const headers = { 'content-type': 'application/json' };
  const ids = [];
  const body = JSON.stringify({
    name: 'load',
    model: { url: 'http://model.local:8000/v1', name: 'm' },
    benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', parameters: { num_examples: 10 } }],
  });
  console.log(`API load: ${REQUESTS} requests per operation, ${CONCURRENCY} concurrent clients, ${external ?? stack.baseUrl}`);
  try {
    await phase('POST /jobs (submit)', async () => {
      const r = await fetch(`${base}/jobs`, { method: 'POST', headers, body });
      const j = await r.json();
      if (r.status === 202) ids.push(j.resource.id);
      return r.status === 202;
    });
    await phase('GET /jobs/{id}', async (i) => (await (await fetch(`${base}/jobs/${ids[i % ids.length]}`)).arrayBuffer(), true));
    await phase('GET /jobs?limit=50', async () => (await fetch(`${base}/jobs?limit=50`).then((r) => r.arrayBuffer()), true));
    await phase('POST /jobs/{id}/events', async (i) => {
      const r = await fetch(`${base}/jobs/${ids[i % ids.length]}/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ benchmark_status_event: { provider_id: 'lm_evaluation_harness', id: 'arc_easy', benchmark_index: 0, status: 'running', phase: 'running_evaluation' } }),
      });
      await r.arrayBuffer();
      return r.status === 204;
    });
    await phase('GET /providers/{id}', async () => (await fetch(`${base}/providers/lighteval`).then((r) => r.arrayBuffer()), true));
  } finally {
    await stack?.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
