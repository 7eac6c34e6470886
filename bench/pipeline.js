#!/usr/bin/env node
// The whole pipeline with a trivial adapter (bench/lib/trivial-adapter.sh: sh + jq + curl, so
// the adapter itself costs milliseconds): submit → queue → worker → adapter process → events →
// finished job.
//   1. latency, worker idle: jobs one after another; submit → adapter start and submit → first
//      progress event accepted, p50/p99;
//   2. throughput: N jobs submitted at once, jobs/minute until every one is finished (EvalHub
//      runs them through MAX_CONCURRENT_EVALUATIONS=4 slots; upstream's local mode has no slot
//      limit and starts every benchmark at once).
//   node bench/pipeline.js [--latency-jobs 200] [--jobs 200] [--upstream]
// --upstream runs the same against the upstream Go server (PyPI eval-hub-server 1.0.2, local
// mode) with the same adapter, and prints ratios. Figures only; nothing is asserted.
const { startStack, percentile, json } = require('./lib/harness');
const { startUpstream } = require('./lib/upstream');
const { stampServer, registerOnEvalHub, upstreamProviderFiles, trivialJob, UPSTREAM_PROVIDER_ID } = require('./lib/trivial-adapter');

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const LATENCY_JOBS = Number(arg('--latency-jobs', '200'));
const JOBS = Number(arg('--jobs', '200'));

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'partially_failed']);

/** Polls the job until it is finished (every 5 ms: the figure is the server's, not the poll's). */
async function finished(base, id) {
  for (;;) {
    const r = await json('GET', `${base}/api/v1/evaluations/jobs/${id}`);
    if (TERMINAL.has(r.body?.status?.state)) return r.body.status.state;
    await new Promise((res) => setTimeout(res, 5));
  }
}

async function submit(base, body) {
  const t = Date.now();
  const r = await json('POST', `${base}/api/v1/evaluations/jobs`, body);
  if (r.status !== 202) throw new Error(`submit: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return { id: r.body.resource.id, submitted: t };
}

async function measure(base, label, providerId) {
  const stamps = await stampServer();
  try {
    console.log(`${label}:`);
    // Warm-up, not measured: the first run loads what later ones reuse.
    for (let i = 0; i < 3; i++) {
      const { id } = await submit(base, trivialJob(providerId, { stamp_url: stamps.url }, `warm-${i}`));
      await stamps.wait(id);
      await finished(base, id);
    }
    const toStart = [];
    const toEvent = [];
    const toDone = [];
    const states = {};
    for (let i = 0; i < LATENCY_JOBS; i++) {
      const { id, submitted } = await submit(base, trivialJob(providerId, { stamp_url: stamps.url }, `pipeline-${i}`));
      const s = await stamps.wait(id);
      const state = await finished(base, id);
      states[state] = (states[state] ?? 0) + 1;
      toStart.push(s.start - submitted);
      toEvent.push(s.first_event - submitted);
      toDone.push(Date.now() - submitted);
    }
    for (const a of [toStart, toEvent, toDone]) a.sort((x, y) => x - y);
    const row = (name, a) => console.log(`  ${name.padEnd(34)} p50 ${String(percentile(a, 50)).padStart(5)} ms   p99 ${String(percentile(a, 99)).padStart(5)} ms`);
    console.log(`  latency, worker idle, ${LATENCY_JOBS} jobs one after another (${JSON.stringify(states)}):`);
    row('submit → adapter start', toStart);
    row('submit → first progress event', toEvent);
    row('submit → job finished (seen by GET)', toDone);

    const t0 = Date.now();
    const ids = [];
    for (let i = 0; i < JOBS; i += 8) {
      const batch = await Promise.all(Array.from({ length: Math.min(8, JOBS - i) }, (_, k) => submit(base, trivialJob(providerId, { stamp_url: stamps.url }, `pipeline-t${i + k}`))));
      ids.push(...batch.map((b) => b.id));
    }
    const submittedIn = Date.now() - t0;
    const tStates = {};
    await Promise.all(
      ids.map(async (id) => {
        await stamps.wait(id);
        const st = await finished(base, id);
        tStates[st] = (tStates[st] ?? 0) + 1;
      }),
    );
    const secs = (Date.now() - t0) / 1000;
    const perMinute = (JOBS / secs) * 60;
    console.log(`  throughput: ${JOBS} jobs submitted at once (in ${submittedIn} ms), all finished in ${secs.toFixed(1)} s: ${perMinute.toFixed(0)} jobs/minute ${JSON.stringify(tStates)}`);
    return { startP50: percentile(toStart, 50), startP99: percentile(toStart, 99), eventP50: percentile(toEvent, 50), eventP99: percentile(toEvent, 99), perMinute };
  } finally {
    stamps.close();
  }
}

async function ours() {
  const stack = await startStack({ MAX_CONCURRENT_EVALUATIONS: '4', EVALHUB_MODEL_CACHE: 'false' });
  try {
    return await measure(stack.baseUrl, 'EvalHub (API + worker, 4 slots, Redis)', await registerOnEvalHub(stack.baseUrl));
  } finally {
    await stack.stop();
  }
}

async function theirs() {
  const up = await startUpstream({ extraProviders: upstreamProviderFiles() });
  try {
    return await measure(up.baseUrl, 'upstream eval-hub 1.0.2 (Go), local mode', UPSTREAM_PROVIDER_ID);
  } finally {
    await up.stop();
  }
}

async function main() {
  const a = await ours();
  if (!process.argv.includes('--upstream')) return;
  const b = await theirs();
  console.log('ratio ours/upstream (>1 means ours is better):');
  console.log(`  submit → adapter start p50 ${(b.startP50 / a.startP50).toFixed(2)}x, p99 ${(b.startP99 / a.startP99).toFixed(2)}x`);
  console.log(`  submit → first progress event p50 ${(b.eventP50 / a.eventP50).toFixed(2)}x, p99 ${(b.eventP99 / a.eventP99).toFixed(2)}x`);
  console.log(`  throughput ${(a.perMinute / b.perMinute).toFixed(2)}x`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
