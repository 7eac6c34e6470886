#!/usr/bin/env node
// What the worker's model gateway adds per model call: the same requests to the test model
// directly and through the gateway (its own process, as in a worker), sequential so latency is
// not queueing. Prints p50/p99 of both and the difference, for plain JSON calls, streamed calls
// (time to first byte) and calls under an endpoint limit (a Redis lease per call). Bounded.
//   npm run build && node bench/gateway-overhead.js [--requests 2000] [--redis redis://127.0.0.1:6379]
const { spawn } = require('child_process');
const http = require('http');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('--requests', '2000'));
const REDIS = arg('--redis', process.env.REDIS_URL || 'redis://127.0.0.1:6379');

// Child mode: one gateway run towards UPSTREAM, its URL on stdout.
if (process.argv[2] === '--serve-gateway') {
  const { ModelGateway } = require(path.join(ROOT, 'dist', 'gateway', 'model-gateway.js'));
  const { EndpointLimiter } = require(path.join(ROOT, 'dist', 'gateway', 'endpoint-limiter.js'));
  const limits = process.argv[4] ? JSON.parse(process.argv[4]) : {};
  const redis = limits.max_concurrent ? new (require('ioredis').Redis)(REDIS) : undefined;
  new ModelGateway(new EndpointLimiter(redis, `bench${process.pid}`)).open({ upstream: process.argv[3], apiKey: 'sk-bench', limits }).then((run) => process.stdout.write(`${run.url}\n`));
  return;
}

function child(args) {
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ p, line: out.split('\n')[0] });
    });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
/** One call; resolves with ms to the first byte and ms to the end. */
function call(url, body) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let first;
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.on('data', () => (first ??= process.hrtime.bigint()));
      res.on('end', () => resolve({ ttfb: Number(first - t0) / 1e6, total: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function measure(label, base, body, field) {
  for (let i = 0; i < 200; i++) await call(`${base}/chat/completions`, body); // warm-up, not measured
  const xs = [];
  for (let i = 0; i < N; i++) xs.push((await call(`${base}/chat/completions`, body))[field]);
  return { label, p50: pct(xs, 50), p99: pct(xs, 99) };
}

async function main() {
  // The model in its own process, answering at once (1 ms per streamed chunk).
  const { p: model, line } = await child([path.join(ROOT, 'test', 'fixtures', 'fake-model-server.js'), '--port', '0', '--ttft-ms', '1', '--itl-ms', '1']);
  const direct = /(http:\/\/\S+)/.exec(line)[1];
  const plain = await child([__filename, '--serve-gateway', direct]);
  const limited = await child([__filename, '--serve-gateway', direct, JSON.stringify({ max_concurrent: 4 })]);
  const json = { model: 'fake-model', messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: 8 };
  const stream = { ...json, stream: true };
  const rows = [];
  for (const [name, body, field] of [['chat, JSON', json, 'total'], ['chat, streamed (first byte)', stream, 'ttfb']]) {
    const d = await measure('direct', direct, body, field);
    const g = await measure('gateway', plain.line, body, field);
    rows.push({ name, d, g });
  }
  const d = await measure('direct', direct, json, 'total');
  const l = await measure('gateway + limit', limited.line, json, 'total');
  rows.push({ name: 'chat, JSON, endpoint limit (Redis lease)', d, g: l });
  console.log(`model gateway overhead, ${N} sequential calls each, loopback, ${require('os').cpus().length} cores`);
  console.log('call'.padEnd(42), 'direct p50/p99 ms'.padEnd(20), 'gateway p50/p99 ms'.padEnd(20), 'added p50/p99 ms');
  for (const r of rows) {
    console.log(r.name.padEnd(42), `${r.d.p50.toFixed(3)} / ${r.d.p99.toFixed(3)}`.padEnd(20), `${r.g.p50.toFixed(3)} / ${r.g.p99.toFixed(3)}`.padEnd(20), `${(r.g.p50 - r.d.p50).toFixed(3)} / ${(r.g.p99 - r.d.p99).toFixed(3)}`);
  }
  for (const c of [plain.p, limited.p, model]) c.kill();
  agent.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
