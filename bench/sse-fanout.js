#!/usr/bin/env node
// The job stream (SSE) fan-out: N watchers follow one job's GET /jobs/{id}/stream while progress
// events are posted for it; prints delivered events/s, lag (arrival − send) p50/p99/max and how
// many watchers missed events, first at a steady rate, then as fast as one adapter can post.
//   node bench/sse-fanout.js [--watchers 10,100,500] [--events 500] [--rate 100]
// Without --base-url it starts its own Redis and API (no worker, so the job stays pending) with a
// token file holding one admin token: POST /jobs/{id}/events needs the run's callback token or an
// authenticated caller, and only a worker issues callback tokens. With --base-url, pass a bearer
// token that may write the job (--token); --api-pid / --redis-port add the resource figures.
// The client shares the machine with the API and Redis, so its own parsing is part of the lag.
const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { execFile } = require('child_process');
const { startStack, percentile } = require('./lib/harness');

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};

const SUBMISSION = {
  name: 'sse',
  model: { url: 'http://model.local:8000/v1', name: 'm' },
  benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', parameters: { num_examples: 10 } }],
};

const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resident memory (MB) of one process, from /proc (Linux). */
function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function redisClients(port) {
  return new Promise((resolve) => {
    execFile('redis-cli', ['-p', String(port), 'info', 'clients'], (err, out) => {
      const m = /connected_clients:(\d+)/.exec(out ?? '');
      resolve(err || !m ? NaN : Number(m[1]));
    });
  });
}

/**
 * One watcher of a job's stream over its own socket (no keep-alive): every `status` event's
 * benchmark completed_count (the event's sequence number) with its arrival time.
 */
function watch(url, headers) {
  const w = { arrivals: new Map(), ready: false, ended: false, error: undefined, status: 0, onEvent: () => undefined };
  const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
    w.status = res.statusCode;
    if (res.statusCode !== 200) {
      w.error = `HTTP ${res.statusCode}`;
      res.resume();
      return;
    }
    res.setEncoding('utf8');
    let buf = '';
    res.on('data', (chunk) => {
      const t = now();
      buf += chunk;
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        let event = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data += line.slice(5).trimStart();
          // `id:`, `retry:` and `:` comments carry nothing measured here
        }
        if (event !== 'status' && event !== 'result') continue;
        w.ready = true;
        // Only the benchmark's count is needed; a regex keeps the client's share of the CPU small.
        const m = /"completed_count":(\d+)/.exec(data);
        if (m) {
          const seq = Number(m[1]);
          if (!w.arrivals.has(seq)) w.arrivals.set(seq, t);
        }
        w.onEvent();
      }
    });
    res.on('end', () => (w.ended = true));
    res.on('error', (e) => (w.error ??= e.message));
  });
  req.on('error', (e) => (w.error ??= e.message));
  w.close = () => req.destroy();
  return w;
}

async function until(cond, timeoutMs, stepMs = 20) {
  const end = now() + timeoutMs;
  while (!cond()) {
    if (now() > end) return false;
    await sleep(stepMs);
  }
  return true;
}

/**
 * N watchers of one new job; E events at `rate`/s, then E more back to back (one in flight, as an
 * adapter posts them). `token`: a bearer token allowed to write the job (unset: none is sent, and
 * the events route answers 401 unless something in front authenticates). `apiPid` / `redisPort`
 * (optional) add the API's RSS and Redis' client count, sampled while the watchers are open.
 */
async function sseFanout({ baseUrl, watchers, events, rate = 100, token, apiPid, redisPort, drainMs = 15000 }) {
  const api = `${baseUrl}/api/v1/evaluations`;
  const auth = token ? { authorization: `Bearer ${token}` } : {};
  const post = async (url, body) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, text };
  };
  const sub = await post(`${api}/jobs`, SUBMISSION);
  if (sub.status !== 202) throw new Error(`submit answered ${sub.status}: ${sub.text}`);
  const jobId = JSON.parse(sub.text).resource.id;
  const total = 2 * events;
  const event = (seq) => ({
    benchmark_status_event: {
      provider_id: 'lm_evaluation_harness',
      id: 'arc_easy',
      benchmark_index: 0,
      status: 'running',
      phase: 'running_evaluation',
      progress: seq / total,
      completed_count: seq,
      total_count: total,
      count_unit: 'requests',
    },
  });

  const peak = { rssMb: apiPid ? rssMb(apiPid) : NaN, redisClients: NaN };
  const baseClients = redisPort ? await redisClients(redisPort) : NaN;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      if (apiPid) peak.rssMb = Math.max(peak.rssMb, rssMb(apiPid));
      if (redisPort) {
        const c = await redisClients(redisPort);
        if (!(c <= peak.redisClients)) peak.redisClients = c;
      }
      await sleep(250);
    }
  })();

  const ws = [];
  const tOpen = now();
  for (let i = 0; i < watchers; i++) ws.push(watch(`${api}/jobs/${jobId}/stream`, auth));
  await until(() => ws.every((w) => w.ready || w.error || w.ended), 60000);
  const openMs = now() - tOpen;
  const openFailed = ws.filter((w) => !w.ready).length;
  const out = { jobId, watchers, events, openMs, openFailed, phases: [] };

  try {
    // The first event is refused outright when the caller may not post: say so instead of measuring nothing.
    const first = await post(`${api}/jobs/${jobId}/events`, event(0));
    if (first.status !== 204) throw new Error(`POST /jobs/{id}/events answered ${first.status}: ${first.text}`);
    await until(() => ws.every((w) => !w.ready || w.arrivals.has(0) || w.error || w.ended), drainMs);

    let seq = 1;
    for (const [name, perSecond] of [['steady', rate], ['burst', Infinity]]) {
      const sent = new Map();
      let postErrors = 0;
      const errorKinds = new Map();
      const t0 = now();
      for (let i = 0; i < events; i++, seq++) {
        if (Number.isFinite(perSecond)) {
          const due = t0 + (i * 1000) / perSecond;
          if (due > now()) await sleep(due - now());
        }
        sent.set(seq, now());
        const r = await post(`${api}/jobs/${jobId}/events`, event(seq)).catch((e) => ({ status: 0, text: e.message }));
        if (r.status !== 204) {
          postErrors++;
          const kind = `${r.status} ${(/"message_code":"([^"]+)"/.exec(r.text)?.[1] ?? r.text).slice(0, 80)}`;
          errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
        }
      }
      const sendSecs = (now() - t0) / 1000;
      const last = seq - 1;
      const live = ws.filter((w) => w.ready);
      await until(() => live.every((w) => w.arrivals.has(last) || w.error || w.ended), drainMs);
      const lags = [];
      let lastArrival = t0;
      let missed = 0;
      let missedEvents = 0;
      for (const w of live) {
        let got = 0;
        for (const [s, ts] of sent) {
          const a = w.arrivals.get(s);
          if (a === undefined) continue;
          got++;
          lags.push(a - ts);
          if (a > lastArrival) lastArrival = a;
        }
        if (got < events) {
          missed++;
          missedEvents += events - got;
        }
      }
      lags.sort((a, b) => a - b);
      const secs = (lastArrival - t0) / 1000;
      out.phases.push({
        name,
        sendRate: events / sendSecs,
        postErrors,
        errorKinds: [...errorKinds].map(([k, n]) => `${n}× ${k}`).join(', '),
        delivered: lags.length,
        expected: live.length * events,
        deliveredPerSec: lags.length / secs,
        lagP50: percentile(lags, 50),
        lagP99: percentile(lags, 99),
        lagMax: lags[lags.length - 1],
        watchersMissing: missed,
        eventsMissing: missedEvents,
        watchersFailed: ws.filter((w) => w.error || w.ended).length,
      });
    }
  } finally {
    sampling = false;
    await sampler;
    out.peakRssMb = peak.rssMb;
    out.peakRedisClients = peak.redisClients;
    out.baseRedisClients = baseClients;
    for (const w of ws) w.close();
    // Let the API notice the watchers went (and drop their Redis connections) before the next run.
    if (redisPort) {
      let c = NaN;
      for (let i = 0; i < 50; i++) {
        c = await redisClients(redisPort);
        if (c <= baseClients) break;
        await sleep(100);
      }
      out.redisClientsAfterClose = c;
    } else await sleep(500);
  }
  return out;
}

function print(r) {
  const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  console.log(`N=${r.watchers}: ${r.watchers - r.openFailed}/${r.watchers} watchers got the first event within ${f(r.openMs, 0)} ms; API RSS peak ${f(r.peakRssMb, 0)} MB; Redis clients ${r.baseRedisClients} -> peak ${r.peakRedisClients} (after close ${r.redisClientsAfterClose ?? '-'})`);
  for (const p of r.phases) {
    console.log(
      `  ${p.name.padEnd(6)} sent ${r.events} at ${f(p.sendRate).padStart(6)}/s  delivered ${p.delivered}/${p.expected} = ${f(p.deliveredPerSec, 0).padStart(6)} ev/s  ` +
        `lag p50 ${f(p.lagP50).padStart(7)} ms  p99 ${f(p.lagP99).padStart(7)} ms  max ${f(p.lagMax).padStart(7)} ms  ` +
        `watchers missing events ${p.watchersMissing} (${p.eventsMissing} events)  failed ${p.watchersFailed}  post errors ${p.postErrors}${p.errorKinds ? ` (${p.errorKinds})` : ''}`,
    );
  }
}

async function main() {
  const counts = String(arg('--watchers', '10,100,500')).split(',').map(Number);
  const events = Number(arg('--events', '500'));
  const rate = Number(arg('--rate', '100'));
  const external = arg('--base-url');
  let stack;
  let token = arg('--token');
  let apiPid = arg('--api-pid') ? Number(arg('--api-pid')) : undefined;
  let redisPort = arg('--redis-port') ? Number(arg('--redis-port')) : undefined;
  let tokenDir;
  if (!external) {
    // Loopback, local tenancy, authentication by a token file (README, Security): one admin token.
    token = crypto.randomBytes(24).toString('base64url');
    tokenDir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-bench-sse-'));
    const tokenFile = path.join(tokenDir, 'tokens.yaml');
    fs.writeFileSync(tokenFile, `tokens:\n  - {token: "${token}", user: bench, tenants: "*", role: admin}\n`, { mode: 0o600 });
    stack = await startStack({ NO_WORKER: '1', AUTH_TOKEN_FILE: tokenFile });
    apiPid = stack.procs[stack.procs.length - 1].pid;
    redisPort = Number(new URL(stack.env.REDIS_URL).port);
  }
  const baseUrl = external ?? stack.baseUrl;
  console.log(`SSE fan-out: one job's /stream, ${events} events at ${rate}/s then ${events} back to back, ${baseUrl}`);
  try {
    for (const n of counts) print(await sseFanout({ baseUrl, watchers: n, events, rate, token, apiPid, redisPort }));
  } finally {
    await stack?.stop();
    if (tokenDir) fs.rmSync(tokenDir, { recursive: true, force: true });
  }
}

module.exports = { sseFanout };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
