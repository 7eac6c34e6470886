#!/usr/bin/env node
// Load on the API over loopback, route by route: submit jobs, read them, list them, post adapter
// events to running jobs, read providers, collections and the health check. Two load generators:
// this script's own Node client (undici's pool: at least a fixed number of requests and seconds
// per route from a fixed number of concurrent keep-alive clients, after unmeasured warm-up
// requests) and, when the Debian `wrk` is installed, wrk (1 thread, the same number of connections, a warm-up run, then a timed run).
// Prints requests/s and p50/p99 latency per route and generator, and for the Node client the CPU
// the client and the server used (share of one core): a client near 100% set the rate itself.
//   node bench/api-load.js [--requests 3000] [--node-seconds 2] [--warmup 1000] [--concurrency 32] [--wrk-seconds 8] [--no-wrk] [--upstream]
// It starts its own Redis, API and worker (4 slots). Four jobs of a trivial adapter
// (lib/trivial-adapter.sh) hold the slots and stay running, so the events route gets real
// callbacks and the load's other jobs stay queued. --upstream runs the same against the upstream
// Go server (PyPI eval-hub-server 1.0.2, local mode, same catalog and adapter) and prints ratios.
const fs = require('fs');
const http = require('http');
const { Pool } = require('undici');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { startStack, percentile, json } = require('./lib/harness');
const { startUpstream } = require('./lib/upstream');
const { stampServer, registerOnEvalHub, upstreamProviderFiles, trivialJob, UPSTREAM_PROVIDER_ID } = require('./lib/trivial-adapter');

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const REQUESTS = Number(arg('--requests', '3000'));
const NODE_SECONDS = Number(arg('--node-seconds', '2'));
const CONCURRENCY = Number(arg('--concurrency', '32'));
// Unmeasured requests first, the same for both servers: a warm server is what users meet (Node's
// JIT needs a few hundred requests per route; Go does not), and 3000 requests are too few to hide it.
const WARMUP = Number(arg('--warmup', '1000'));
/** Requests the Node client sends to a local no-op server before any measurement (see warmNodeClient). */
const CLIENT_WARMUP = 20000;
const WRK_SECONDS = Number(arg('--wrk-seconds', '8'));
const WRK_WARMUP_SECONDS = 4;
const HELD_JOBS = 4;
const USE_WRK = !process.argv.includes('--no-wrk') && spawnSync('wrk', ['--version']).error === undefined;

const SUBMIT_BODY = JSON.stringify({
  name: 'load',
  model: { url: 'http://model.local:8000/v1', name: 'm' },
  benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', parameters: { num_examples: 10 } }],
});

/**
 * The Node client: undici's connection pool (the HTTP client inside Node's own fetch), one
 * keep-alive connection per concurrent client, driven through its dispatch API (no response
 * stream). On the cheapest routes the client, sharing the two cores with the server, saturates
 * first: `http.request` used 40-50 us of CPU per request, this 17-20, which lifted the ceiling it
 * put on both servers alike.
 */
function nodeClient(base) {
  const pool = new Pool(base, { connections: CONCURRENCY, pipelining: 1 });
  return {
    /** Resolves to the status and body once the body is read. */
    request: (method, path, body) =>
      new Promise((resolve, reject) => {
        let status = 0;
        const chunks = [];
        pool.dispatch({ method, path, body, headers: body ? { 'content-type': 'application/json' } : undefined }, {
          onRequestStart() {},
          onResponseStart(_controller, statusCode) {
            status = statusCode;
          },
          onResponseData(_controller, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            resolve({ status, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
          },
          onResponseError(_controller, err) {
            reject(err);
          },
        });
      }),
    close: () => pool.close(),
  };
}

/**
 * The Node client's phase: WARMUP unmeasured requests, then at least REQUESTS measured ones, and
 * more until NODE_SECONDS have passed (3,000 requests of a cheap route took 0.1-0.2 s, too short
 * for a stable rate or p99).
 */
async function nodePhase(base, route, serverPid) {
  const client = nodeClient(base);
  const once = async (i) => {
    const r = await client.request(route.method, route.path(i), route.body?.(i));
    route.seen?.(r);
    return r.status === route.ok;
  };
  let w = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (w < WARMUP) await once(REQUESTS + w++).catch(() => false);
  }));
  const lat = [];
  let next = 0;
  let errors = 0;
  const t0 = process.hrtime.bigint();
  const until = t0 + BigInt(NODE_SECONDS * 1e9);
  const cpu0 = process.cpuUsage();
  const server0 = cpuSeconds(serverPid);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS || process.hrtime.bigint() < until) {
        const i = next++;
        const s = process.hrtime.bigint();
        const ok = await once(i).catch(() => false);
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (!ok) errors++;
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const serverCpu = (cpuSeconds(serverPid) - server0) / secs;
  await client.close();
  lat.sort((a, b) => a - b);
  // The client's share of one core: near 100% it, not the server, set the rate.
  return { rps: next / secs, p50: percentile(lat, 50), p99: percentile(lat, 99), errors, clientCpu: (cpu.user + cpu.system) / 1e6 / secs, serverCpu };
}

const lua = (s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** wrk: a warm-up run, then the measured one; rotating paths and bodies through a Lua script. */
function wrkPhase(base, route) {
  const n = route.variants ?? 1;
  const script = [
    `wrk.method = "${route.method}"`,
    'wrk.headers["Content-Type"] = "application/json"',
    `local paths = {${Array.from({ length: n }, (_, i) => lua(route.path(i))).join(',')}}`,
    `local bodies = {${route.body ? Array.from({ length: n }, (_, i) => lua(route.body(i))).join(',') : ''}}`,
    'local i = 0',
    'request = function()',
    `  i = i % ${n} + 1`,
    `  return wrk.format(nil, paths[i], nil, bodies[i])`,
    'end',
  ].join('\n');
  const file = path.join(os.tmpdir(), `evalhub-wrk-${process.pid}.lua`);
  fs.writeFileSync(file, script);
  const run = (secs, latency) => spawnSync('wrk', ['-t1', `-c${CONCURRENCY}`, `-d${secs}s`, ...(latency ? ['--latency'] : []), '-s', file, base], { encoding: 'utf8' }).stdout;
  run(WRK_WARMUP_SECONDS, false);
  const out = run(WRK_SECONDS, true);
  fs.rmSync(file, { force: true });
  const ms = (line) => {
    const m = new RegExp(`^\\s+${line}\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN;
  };
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const bad = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)?.slice(1).reduce((a, b) => a + Number(b), 0) ?? 0);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN), p50: ms('50%'), p99: ms('99%'), errors: bad, total };
}

/** Resident memory (MB) of a process and its descendants, from /proc (Linux). */
/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU seconds (user and system) a process has used so far (utime and stime of /proc/<pid>/stat). */
function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssTreeMb(rootPid) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  let kb = 0;
  for (const stack = [rootPid]; stack.length; ) {
    const pid = stack.pop();
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* gone */
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return kb / 1024;
}

const fmt = (r) =>
  r ? `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  errors ${r.errors}${r.clientCpu !== undefined ? `  CPU client ${(r.clientCpu * 100).toFixed(0)}%, server ${(r.serverCpu * 100).toFixed(0)}%` : ''}` : '';

/**
 * Every route of the run: `path(i)` and `body(i)` give the i-th request (wrk rotates through
 * `variants` of them), `ok` the status that counts as served.
 */
function routes(ids, held) {
  const event = (h) => JSON.stringify({ benchmark_status_event: { provider_id: h.provider_id, id: h.benchmark_id, benchmark_index: 0, status: 'running', phase: 'running_evaluation' } });
  return [
    { name: 'POST /jobs (submit)', method: 'POST', path: () => '/api/v1/evaluations/jobs', body: () => SUBMIT_BODY, ok: 202, seen: (r) => r.status === 202 && ids.push(JSON.parse(r.body).resource.id) },
    { name: 'GET /jobs/{id}', method: 'GET', path: (i) => `/api/v1/evaluations/jobs/${ids[i % ids.length]}`, ok: 200, variants: Math.min(ids.length || 1, 2000) },
    { name: 'GET /jobs?limit=50', method: 'GET', path: () => '/api/v1/evaluations/jobs?limit=50', ok: 200 },
    { name: 'POST /jobs/{id}/events', method: 'POST', path: (i) => new URL(held[i % held.length].events_url).pathname, body: (i) => event(held[i % held.length]), ok: 204, variants: held.length },
    { name: 'GET /providers/{id}', method: 'GET', path: () => '/api/v1/evaluations/providers/lighteval', ok: 200 },
    // The largest provider (188 benchmarks), the collections list and the contract health check.
    { name: 'GET /providers/lm_eval', method: 'GET', path: () => '/api/v1/evaluations/providers/lm_evaluation_harness', ok: 200 },
    { name: 'GET /collections', method: 'GET', path: () => '/api/v1/evaluations/collections', ok: 200 },
    { name: 'GET /health', method: 'GET', path: () => '/api/v1/health', ok: 200 },
  ];
}

/** Starts HELD_JOBS trivial-adapter jobs that stay running; resolves to their stamps. */
async function holdJobs(base, providerId) {
  const stamps = await stampServer();
  const held = [];
  for (let i = 0; i < HELD_JOBS; i++) {
    const r = await json('POST', `${base}/api/v1/evaluations/jobs`, trivialJob(providerId, { stamp_url: stamps.url, hold: true }, `held-${i}`));
    if (r.status !== 202) throw new Error(`held job: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    held.push(await stamps.wait(r.body.resource.id));
  }
  stamps.close();
  return held;
}

async function run(target, label) {
  const idleMb = rssTreeMb(target.apiPid);
  const workerIdleMb = target.extraPids[0] ? rssTreeMb(target.extraPids[0]) : NaN;
  const held = await holdJobs(target.baseUrl, target.providerId);
  const ids = [];
  console.log(`API load — ${label}: node client (undici) at least ${REQUESTS} requests and ${NODE_SECONDS} s per route after ${WARMUP} unmeasured, ${CONCURRENCY} concurrent${USE_WRK ? `; wrk -t1 -c${CONCURRENCY} ${WRK_SECONDS} s after ${WRK_WARMUP_SECONDS} s` : ''}; ${target.baseUrl}`);
  const rows = [];
  for (const route of routes(ids, held)) {
    const node = await nodePhase(target.baseUrl, route, target.apiPid);
    // wrk's submits would be measured against a store 10x fuller; its own count says how many.
    const wrk = USE_WRK ? wrkPhase(target.baseUrl, route) : undefined;
    rows.push({ name: route.name, node, wrk });
    console.log(`  ${route.name.padEnd(24)} node ${fmt(node)}${wrk ? `\n  ${''.padEnd(24)} wrk  ${fmt(wrk)}` : ''}`);
  }
  // The held jobs end here: their adapters would otherwise sleep on after the bench.
  await Promise.all(held.map((h) => json('DELETE', `${target.baseUrl}/api/v1/evaluations/jobs/${h.job}`).catch(() => undefined)));
  rows.rssMb = rssTreeMb(target.apiPid);
  rows.extraMb = target.extraPids.map((p) => rssTreeMb(p));
  // Ten seconds later: what the process keeps once its collector has given back the load's garbage.
  await new Promise((r) => setTimeout(r, 10_000));
  rows.settledMb = rssTreeMb(target.apiPid);
  rows.idleMb = idleMb;
  rows.workerIdleMb = workerIdleMb;
  console.log(
    `  resident memory (MB): API idle ${idleMb.toFixed(0)}, at the end of the load ${rows.rssMb.toFixed(0)}, 10 s later ${rows.settledMb.toFixed(0)}` +
      `${target.extraLabel ? `; ${target.extraLabel} at the end: ${rows.extraMb.map((m) => m.toFixed(0)).join(' / ')} (worker idle ${workerIdleMb.toFixed(0)})` : ''}`,
  );
  return rows;
}

async function ours() {
  const stack = await startStack({ MAX_CONCURRENT_EVALUATIONS: String(HELD_JOBS), EVALHUB_MODEL_CACHE: 'false' });
  try {
    const pid = (name) => stack.procs.find((p) => p.spawnargs.some((a) => a.endsWith(name)))?.pid;
    const redis = stack.procs.find((p) => p.spawnargs[0] === 'redis-server')?.pid;
    const target = { baseUrl: stack.baseUrl, providerId: await registerOnEvalHub(stack.baseUrl), apiPid: pid('main.js'), extraPids: [pid('worker.js'), redis].filter(Boolean), extraLabel: 'worker / Redis' };
    return await run(target, 'EvalHub (NestJS/Fastify, Redis)');
  } finally {
    await stack.stop();
  }
}

async function theirs() {
  const up = await startUpstream({ extraProviders: upstreamProviderFiles() });
  try {
    return await run({ baseUrl: up.baseUrl, providerId: UPSTREAM_PROVIDER_ID, apiPid: up.pid, extraPids: [] }, 'upstream eval-hub 1.0.2 (Go, in-memory SQLite), local mode');
  } finally {
    await up.stop();
  }
}

/**
 * Runs the Node client against a server of this process that answers every request at once, until
 * its code is compiled: measured cold, its first few thousand requests cost it ~3x the CPU, and
 * it would meet the first server measured colder than the second.
 */
async function warmNodeClient() {
  const server = http.createServer((req, res) => req.resume().on('end', () => res.end('{}')));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const client = nodeClient(`http://127.0.0.1:${server.address().port}`);
  let n = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (n < CLIENT_WARMUP) await (n++ % 2 ? client.request('GET', '/warm') : client.request('POST', '/warm', SUBMIT_BODY));
  }));
  await client.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

async function main() {
  await warmNodeClient();
  const a = await ours();
  if (!process.argv.includes('--upstream')) return;
  const b = await theirs();
  console.log('ratio ours/upstream: throughput (>1: ours serves more), p99 upstream/ours (>1: ours answers sooner):');
  for (const [i, row] of a.entries()) {
    const r = (x, y) => (x && y ? `throughput ${(x.rps / y.rps).toFixed(2)}x  p99 ${(y.p99 / x.p99).toFixed(2)}x  (upstream errors ${y.errors})` : '');
    console.log(`  ${row.name.padEnd(24)} node ${r(row.node, b[i].node)}${row.wrk ? `\n  ${''.padEnd(24)} wrk  ${r(row.wrk, b[i].wrk)}` : ''}`);
  }
  console.log(
    `  memory (MB): API idle ${a.idleMb.toFixed(0)} vs upstream ${b.idleMb.toFixed(0)}; at the end of the load ${a.rssMb.toFixed(0)} (worker ${a.extraMb[0].toFixed(0)}, Redis ${a.extraMb[1].toFixed(0)}) vs ${b.rssMb.toFixed(0)}; ` +
      `10 s later ${a.settledMb.toFixed(0)} vs ${b.settledMb.toFixed(0)} (upstream keeps its jobs in its in-process SQLite; its adapters are counted)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
