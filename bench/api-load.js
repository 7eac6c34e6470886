#!/usr/bin/env node
// Load on the running API over loopback: submit jobs, read them, list them, post adapter events.
// Prints requests/s and p50/p99 latency per operation. Bounded: each phase sends a fixed number
// of requests from a fixed number of concurrent clients, then stops.
//   node bench/api-load.js [--requests 3000] [--warmup 1000] [--concurrency 32] [--base-url http://127.0.0.1:8080]
// Without --base-url it starts its own API (no worker, so jobs stay pending) and Redis.
// --upstream also runs the same load against the upstream Go server (PyPI eval-hub-server 1.0.2,
// installed once into ~/.cache/evalhub) in local mode with the same catalog, and prints ratios.
const { startStack, percentile } = require('./lib/harness');

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const REQUESTS = Number(arg('--requests', '3000'));
const CONCURRENCY = Number(arg('--concurrency', '32'));
// Unmeasured requests first, the same for both servers: a warm server is what users meet (Node's
// JIT needs a few hundred requests per route; Go does not), and 3000 requests are too few to hide it.
const WARMUP = Number(arg('--warmup', '1000'));

async function phase(name, fn) {
  let w = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (w < WARMUP) await fn(REQUESTS + w++).catch(() => false);
  }));
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

/** Resident memory (MB) of a process and its descendants, from /proc (Linux). */
function rssTreeMb(rootPid) {
  const fs = require('fs');
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

async function startUpstream() {
  const { execFileSync, spawn } = require('child_process');
  const fs = require('fs');
  const os = require('os');
  const path = require('path');
  const { freePort, waitHttp, ROOT } = require('./lib/harness');
  const venv = path.join(os.homedir(), '.cache', 'evalhub', 'upstream-eval-hub-server-1.0.2');
  if (!fs.existsSync(path.join(venv, 'bin', 'eval-hub'))) {
    execFileSync('python3', ['-m', 'venv', venv]);
    execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', 'eval-hub-server==1.0.2']);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-upstream-'));
  fs.cpSync(path.join(ROOT, 'config', 'providers'), path.join(dir, 'providers'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'config', 'collections'), path.join(dir, 'collections'), { recursive: true });
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, 'config.yaml'),
    `service:\n  port: ${port}\n  host: "127.0.0.1"\n  ready_file: "${dir}/ready"\n  termination_file: "${dir}/termination"\ndatabase:\n  driver: sqlite\n  url: file::eval_hub:?mode=memory&cache=shared\nprometheus:\n  enabled: false\n`,
  );
  const proc = spawn(path.join(venv, 'bin', 'eval-hub'), ['--local', '--configdir', dir], { stdio: 'ignore', cwd: dir });
  await waitHttp(`http://127.0.0.1:${port}/api/v1/health`);
  return { baseUrl: `http://127.0.0.1:${port}`, pid: proc.pid, stop: async () => proc.kill('SIGTERM') };
}

async function main() {
  if (process.argv.includes('--upstream')) {
    const ours = await run(undefined, 'EvalHub (NestJS/Fastify, Redis)');
    const up = await startUpstream();
    let theirs;
    try {
      theirs = await run(up.baseUrl, 'upstream eval-hub 1.0.2 (Go, in-memory SQLite), local mode', up.pid);
    } finally {
      await up.stop();
    }
    console.log('ratio ours/upstream (req/s; >1 means faster), p99 upstream/ours (>1 means lower latency):');
    for (const [i, row] of ours.entries()) {
      console.log(`  ${row.name.padEnd(22)} throughput ${(row.rps / theirs[i].rps).toFixed(2)}x   p99 ${(theirs[i].p99 / row.p99).toFixed(2)}x   (upstream errors ${theirs[i].errors})`);
    }
    console.log(`  memory after the load: API ${ours.rssMb.toFixed(0)} MB (+ Redis ${ours.redisRssMb.toFixed(0)} MB) vs upstream ${theirs.rssMb.toFixed(0)} MB (jobs in its in-process SQLite)`);
    return;
  }
  await run(arg('--base-url'));
}

async function run(external, label, externalPid) {
  const stack = external ? undefined : await startStack({ NO_WORKER: '1' });
  const base = `${external ?? stack.baseUrl}/api/v1/evaluations`;
  const headers = { 'content-type': 'application/json' };
  const ids = [];
  const body = JSON.stringify({
    name: 'load',
    model: { url: 'http://model.local:8000/v1', name: 'm' },
    benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', parameters: { num_examples: 10 } }],
  });
  console.log(`API load${label ? ` — ${label}` : ''}: ${REQUESTS} requests per operation after ${WARMUP} unmeasured, ${CONCURRENCY} concurrent clients, ${external ?? stack.baseUrl}`);
  const rows = [];
  try {
    rows.push(await phase('POST /jobs (submit)', async () => {
      const r = await fetch(`${base}/jobs`, { method: 'POST', headers, body });
      const j = await r.json();
      if (r.status === 202) ids.push(j.resource.id);
      return r.status === 202;
    }));
    rows.push(await phase('GET /jobs/{id}', async (i) => {
      const r = await fetch(`${base}/jobs/${ids[i % ids.length]}`);
      await r.arrayBuffer();
      return r.status === 200;
    }));
    rows.push(await phase('GET /jobs?limit=50', async () => {
      const r = await fetch(`${base}/jobs?limit=50`);
      await r.arrayBuffer();
      return r.status === 200;
    }));
    rows.push(await phase('POST /jobs/{id}/events', async (i) => {
      const r = await fetch(`${base}/jobs/${ids[i % ids.length]}/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ benchmark_status_event: { provider_id: 'lm_evaluation_harness', id: 'arc_easy', benchmark_index: 0, status: 'running', phase: 'running_evaluation' } }),
      });
      await r.arrayBuffer();
      return r.status === 204;
    }));
    rows.push(await phase('GET /providers/{id}', async () => {
      const r = await fetch(`${base}/providers/lighteval`);
      await r.arrayBuffer();
      return r.status === 200;
    }));
    // The largest provider (188 benchmarks), the collections list and the contract health check.
    rows.push(await phase('GET /providers/lm_eval', async () => {
      const r = await fetch(`${base}/providers/lm_evaluation_harness`);
      await r.arrayBuffer();
      return r.status === 200;
    }));
    rows.push(await phase('GET /collections', async () => {
      const r = await fetch(`${base}/collections`);
      await r.arrayBuffer();
      return r.status === 200;
    }));
    rows.push(await phase('GET /health', async () => {
      const r = await fetch(`${base.replace(/\/evaluations$/, '')}/health`);
      await r.arrayBuffer();
      return r.status === 200;
    }));
    // Resident memory once the load is over: every job of the run is still stored.
    const api = stack?.procs.find((p) => p.spawnargs.some((a) => a.endsWith('main.js')));
    const redis = stack?.procs.find((p) => p.spawnargs[0] === 'redis-server');
    rows.rssMb = api ? rssTreeMb(api.pid) : externalPid ? rssTreeMb(externalPid) : NaN;
    rows.redisRssMb = redis ? rssTreeMb(redis.pid) : NaN;
    console.log(`  resident memory after the load: ${rows.rssMb.toFixed(0)} MB${redis ? ` (Redis ${rows.redisRssMb.toFixed(0)} MB)` : ''}`);
  } finally {
    await stack?.stop();
  }
  return rows;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
