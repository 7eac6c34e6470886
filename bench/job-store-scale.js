#!/usr/bin/env node
// The job store at scale: fills Redis with N stored jobs, then measures the list (with and without
// filters) and job reads over HTTP, and Redis memory per 1,000 jobs. Prints figures; never asserts.
//   node bench/job-store-scale.js [--jobs 100000] [--templates 300] [--concurrency 8]
//                                 [--requests 2000] [--warmup 200] [--max-seconds 30]
// Starts its own Redis and API (no worker). A few hundred jobs go through the real API
// (POST /jobs); the rest are copies of their stored documents with new ids, creation times,
// states, names, tags and owners, written with the service's own JobsRepository from dist/ (so
// every key a submitted job has — document, creation indexes, active set, change streams and any
// list index the build keeps — is written exactly as the service writes it, in pipelined batches).
// Copies have no BullMQ entries: nothing measured here needs them.
// Each measured phase stops after --requests requests or --max-seconds, whichever comes first
// (a slow path at 100k jobs would otherwise run for hours); the count actually sent is printed.
const path = require('path');
const { randomUUID } = require('crypto');
const { startStack, percentile, ROOT } = require('./lib/harness');

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const JOBS = Number(arg('--jobs', '100000'));
const TEMPLATES = Math.min(JOBS, Number(arg('--templates', '300')));
const CONCURRENCY = Number(arg('--concurrency', '8'));
const REQUESTS = Number(arg('--requests', '2000'));
const WARMUP = Number(arg('--warmup', '200'));
const MAX_SECONDS = Number(arg('--max-seconds', '30'));

const TENANT = 'bench';
/** A second tenant holds 1% of the jobs: its jobs must never show up in the bench tenant's lists. */
const OTHER_TENANT = 'other';
const OWNERS = 20;
const NAMES = 1000;
const TAGS = ['nightly', 'regression', 'smoke', 'release', 'exp-a', 'exp-b', 'gpu', 'cpu'];
/** Share of each state among the copies (cumulative thresholds). */
const STATES = [
  ['completed', 0.55],
  ['failed', 0.7],
  ['cancelled', 0.8],
  ['running', 0.9],
  ['pending', 0.95],
  ['partially_failed', 1],
];

async function phase(name, fn, opts = {}) {
  const requests = opts.requests ?? REQUESTS;
  const deadline = (ms) => Date.now() + ms;
  let w = 0;
  const warmEnd = deadline((MAX_SECONDS * 1000) / 3);
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (w < WARMUP && Date.now() < warmEnd) await fn(w++).catch(() => false);
  }));
  const lat = [];
  let next = 0;
  let errors = 0;
  const end = deadline(MAX_SECONDS * 1000);
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests && Date.now() < end) {
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
  const row = { name, sent: lat.length, rps: lat.length / secs, p50: percentile(lat, 50), p99: percentile(lat, 99), errors };
  console.log(
    `  ${name.padEnd(40)} ${row.rps.toFixed(0).padStart(6)} req/s   p50 ${row.p50.toFixed(2).padStart(8)} ms   p99 ${row.p99.toFixed(2).padStart(8)} ms   ` +
      `requests ${String(row.sent).padStart(5)}   errors ${errors}${opts.note ? `   ${opts.note}` : ''}`,
  );
  return row;
}

/** Resident memory (MB) of one process, from /proc (Linux). */
function rssMb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(require('fs').readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

async function usedMemory(redis) {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)[1]);
}

/** A copy of a stored job as it would look at some point of its life, with the state given. */
function copyOf(template, i, state, rand, now) {
  const job = JSON.parse(template);
  const created = new Date(now - (JOBS - i) * 1000);
  job.resource.id = randomUUID();
  job.resource.created_at = created.toISOString();
  job.resource.updated_at = new Date(created.getTime() + 60_000).toISOString();
  job.resource.tenant = i % 100 === 99 ? OTHER_TENANT : TENANT;
  job.resource.owner = `user-${i % OWNERS}`;
  job.config.name = `load-${Math.floor(rand() * NAMES)}`;
  const tags = new Set([TAGS[Math.floor(rand() * TAGS.length)]]);
  if (rand() < 0.5) tags.add(TAGS[Math.floor(rand() * TAGS.length)]);
  if (rand() < 0.2) tags.add(TAGS[Math.floor(rand() * TAGS.length)]);
  job.config.tags = [...tags];
  const benchState = { pending: 'pending', running: 'running', completed: 'completed', failed: 'failed', cancelled: 'cancelled', partially_failed: 'failed' }[state];
  job.status.state = state;
  job.status.message = {
    pending: { message: 'Evaluation job created', message_code: 'evaluation_job_created', message_origin: 'server' },
    running: { message: 'Evaluation job is running', message_code: 'evaluation_job_running', message_origin: 'server' },
    completed: { message: 'Evaluation job completed', message_code: 'evaluation_job_completed', message_origin: 'server' },
    failed: { message: 'Benchmark arc_easy failed with message: process exited with code 1', message_code: 'evaluation_job_failed', message_origin: 'server' },
    cancelled: { message: 'Evaluation job cancelled', message_code: 'evaluation_job_cancelled', message_origin: 'server' },
    partially_failed: { message: 'Some benchmarks failed', message_code: 'evaluation_job_partially_failed', message_origin: 'server' },
  }[state];
  job.status.benchmarks = job.status.benchmarks.map((b) => ({
    ...b,
    status: benchState,
    ...(benchState === 'running' ? { phase: 'running_evaluation', progress: Math.round(rand() * 100) / 100, completed_count: 4, total_count: 10, count_unit: 'samples' } : {}),
    ...(benchState !== 'pending' ? { started_at: job.resource.created_at } : {}),
    ...(['completed', 'failed', 'cancelled'].includes(benchState) ? { completed_at: job.resource.updated_at } : {}),
  }));
  if (state === 'completed') {
    const acc = Math.round(rand() * 1000) / 1000;
    job.results = {
      benchmarks: job.benchmarks.map((b, index) => ({
        id: b.id,
        provider_id: b.provider_id,
        benchmark_index: index,
        metrics: { acc, acc_stderr: 0.012, acc_norm: acc, acc_norm_stderr: 0.011 },
        statistics: { acc: { stderr: 0.012, ci95: [acc - 0.024, acc + 0.024], n: 10 } },
        artifacts: { results: 'results.json', samples: 'samples.jsonl' },
        usage: { requests: 10, input_tokens: 4210, output_tokens: 10 },
      })),
    };
  }
  return job;
}

async function main() {
  const { Redis } = require('ioredis');
  // The repository used here logs through Nest (e.g. its index fill); the figures are enough.
  require('@nestjs/common').Logger.overrideLogger(false);
  const { JobsRepository } = require(path.join(ROOT, 'dist', 'evaluations', 'jobs.repository.js'));
  const { RedisKeys } = require(path.join(ROOT, 'dist', 'core', 'redis', 'redis-keys.js'));
  const stack = await startStack({ NO_WORKER: '1' });
  const redis = new Redis(stack.env.REDIS_URL);
  const keys = new RedisKeys(stack.env.REDIS_PREFIX);
  const repo = new JobsRepository(redis, keys);
  const base = `${stack.baseUrl}/api/v1/evaluations`;
  const tenantHeaders = { 'X-Tenant': TENANT };
  const api = stack.procs.find((p) => p.spawnargs.some((a) => a.endsWith('main.js')));
  console.log(`Job store at scale: ${JOBS} jobs (${TEMPLATES} submitted through the API, the rest copied in Redis), ${CONCURRENCY} concurrent clients, ` +
    `up to ${REQUESTS} requests or ${MAX_SECONDS} s per query after up to ${WARMUP} unmeasured, ${stack.baseUrl}`);
  try {
    const memBefore = await usedMemory(redis);

    // 1. Templates through the real API.
    const submitted = [];
    let n = 0;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (n < TEMPLATES) {
        const i = n++;
        const r = await fetch(`${base}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'X-Tenant': TENANT, 'X-User': `user-${i % OWNERS}` },
          body: JSON.stringify({
            name: `load-${i}`,
            tags: [TAGS[i % TAGS.length]],
            model: { url: 'http://model.local:8000/v1', name: 'm' },
            benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', parameters: { num_examples: 10 } }],
          }),
        });
        const body = await r.json();
        if (r.status !== 202) throw new Error(`submit answered ${r.status}: ${JSON.stringify(body)}`);
        submitted.push(body.resource.id);
      }
    }));
    const submitSecs = (Date.now() - t0) / 1000;
    const templates = (await redis.mget(submitted.map((id) => keys.doc('job', id)))).filter(Boolean);

    // 2. Copies, written by the service's own repository, 1000 writes in flight at a time.
    // Deterministic (mulberry32, the service's own), so every run stores the same mix.
    const rand = require(path.join(ROOT, 'dist', 'domain', 'statistics.js')).seededRandom(42);
    const now = Date.now() - 3_600_000;
    const ids = [];
    const t1 = Date.now();
    const copies = JOBS - TEMPLATES;
    for (let start = 0; start < copies; start += 1000) {
      const batch = [];
      for (let i = start; i < Math.min(copies, start + 1000); i++) {
        const r = rand();
        const state = STATES.find(([, upTo]) => r < upTo)[0];
        const job = copyOf(templates[i % templates.length], i, state, rand, now);
        if (job.resource.tenant === TENANT) ids.push(job.resource.id);
        batch.push(repo.put(job));
      }
      await Promise.all(batch);
    }
    const copySecs = (Date.now() - t1) / 1000;
    const memAfter = await usedMemory(redis);
    const count = (await redis.zcard(keys.index('job')));
    console.log(`  filled: ${count} jobs (${TEMPLATES} submitted in ${submitSecs.toFixed(1)} s, ${copies} copied in ${copySecs.toFixed(1)} s)`);
    const perK = (bytes) => `${((bytes / count) * 1000 / 1048576).toFixed(2)} MB per 1,000 jobs`;
    console.log(`  Redis used_memory: ${(memBefore / 1048576).toFixed(1)} MB before, ${(memAfter / 1048576).toFixed(1)} MB after: ${perK(memAfter - memBefore)}`);

    // Where it goes: documents and per-job streams (sampled), and every index key (all of them).
    const sample = ids.slice(0, 200);
    const avg = async (keyOf) => {
      let sum = 0;
      for (const id of sample) sum += Number(await redis.memory('USAGE', keyOf(id), 'SAMPLES', '0')) || 0;
      return sum / sample.length;
    };
    const docBytes = (await avg((id) => keys.doc('job', id))) * count;
    const streamBytes = (await avg((id) => keys.jobStream(id))) * count;
    const hashBytes = (await avg((id) => keys.docHash('job', id))) * count;
    // A finished job's stream goes an hour after its last write (it carries an expiry until then).
    let expiring = 0;
    for (const id of sample) if ((await redis.pttl(keys.jobStream(id))) > 0) expiring++;
    const finishedShare = expiring / sample.length;
    let indexBytes = 0;
    let indexKeys = 0;
    const jobPrefix = `${stack.env.REDIS_PREFIX}:job:`;
    for (let cursor = '0'; ; ) {
      const [nextCursor, found] = await redis.scan(cursor, 'MATCH', `${jobPrefix}*`, 'COUNT', 5000);
      for (const k of found) {
        if (k.startsWith(`${jobPrefix}doc:`) || k.startsWith(`${jobPrefix}hash:`)) continue;
        indexKeys++;
        indexBytes += Number(await redis.memory('USAGE', k, 'SAMPLES', '0')) || 0;
      }
      cursor = nextCursor;
      if (cursor === '0') break;
    }
    console.log(`    documents ~${perK(docBytes)}, their content hashes ~${perK(hashBytes)}, per-job change streams ~${perK(streamBytes)} (one entry each, as at submit), ` +
      `indexes and sets ${perK(indexBytes)} (${indexKeys} keys)`);
    console.log(`    ${(finishedShare * 100).toFixed(0)}% of the streams belong to finished jobs and go an hour after their last write: ` +
      `then ~${perK(memAfter - memBefore - streamBytes * finishedShare)}`);

    // A build with list indexes fills them from the stored jobs at its first start (an upgrade):
    // timed here by emptying them and running that fill with the service's own code.
    if (typeof repo.fillListIndexes === 'function') {
      const listKeys = [];
      for (let cursor = '0'; ; ) {
        // The list indexes are the sorted sets under by:, beside the layout version and the index epoch.
        const [nextCursor, found] = await redis.scan(cursor, 'MATCH', `${jobPrefix}by:*`, 'COUNT', 5000, 'TYPE', 'zset');
        listKeys.push(...found);
        cursor = nextCursor;
        if (cursor === '0') break;
      }
      const sizes = new Map();
      for (const k of listKeys) sizes.set(k, await redis.zcard(k));
      for (let i = 0; i < listKeys.length; i += 1000) await redis.del(...listKeys.slice(i, i + 1000));
      const t2 = Date.now();
      await new JobsRepository(redis, keys).fillListIndexes();
      const refillSecs = (Date.now() - t2) / 1000;
      let same = 0;
      for (const [k, size] of sizes) if ((await redis.zcard(k)) === size) same++;
      console.log(`    list indexes filled again from the ${count} stored jobs (as after an upgrade) in ${refillSecs.toFixed(1)} s; ${same} of ${sizes.size} indexes as before`);
    }

    // 3. Reads, as the bench tenant.
    const jobName = 'load-7';
    const queries = [
      ['GET /jobs?limit=50', 'limit=50'],
      ['GET /jobs?limit=50&offset=50000', 'limit=50&offset=50000'],
      ['GET /jobs?status=completed', 'status=completed&limit=50'],
      ['GET /jobs?status=running|failed', 'status=running|failed&limit=50'],
      [`GET /jobs?name=${jobName}`, `name=${jobName}&limit=50`],
      ['GET /jobs?tags=gpu', 'tags=gpu&limit=50'],
      ['GET /jobs?owner=user-3', 'owner=user-3&limit=50'],
      ['GET /jobs?status=completed&tags=gpu', 'status=completed&tags=gpu&limit=50'],
      ['GET /jobs?status=failed&offset=5000', 'status=failed&limit=50&offset=5000'],
    ];
    console.log('  reads as tenant "bench" (total_count of each list in brackets):');
    for (const [name, qs] of queries) {
      const first = await fetch(`${base}/jobs?${qs}`, { headers: tenantHeaders }).then((r) => r.json());
      await phase(name, async () => {
        const r = await fetch(`${base}/jobs?${qs}`, { headers: tenantHeaders });
        await r.arrayBuffer();
        return r.status === 200;
      }, { note: `[${first.total_count}]` });
    }
    await phase('GET /jobs/{id} (random)', async () => {
      const r = await fetch(`${base}/jobs/${ids[Math.floor(Math.random() * ids.length)]}`, { headers: tenantHeaders });
      await r.arrayBuffer();
      return r.status === 200;
    }, { requests: REQUESTS * 2 });
    console.log(`  API resident memory after the reads: ${rssMb(api.pid).toFixed(0)} MB`);
  } finally {
    redis.disconnect();
    await stack.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
