// Shared by the benchmarks: start Redis (if needed), the compiled API and worker on free ports,
// and stop everything afterwards. Benchmarks print figures; they never assert.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHttp(url, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${url}`);
}

function venvDir() {
  if (process.env.EVALHUB_PYTHON_VENV) return process.env.EVALHUB_PYTHON_VENV;
  return fs.readFileSync(path.join(ROOT, '.data', 'python-venv-path'), 'utf8').trim();
}

async function startStack(extraEnv = {}) {
  const procs = [];
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-bench-redis-'));
    procs.push(spawn('redis-server', ['--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
    redisUrl = `redis://127.0.0.1:${port}`;
    const end = Date.now() + 10000;
    while (Date.now() < end && spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() !== 'PONG') await new Promise((r) => setTimeout(r, 100));
  }
  const apiPort = await freePort();
  const workerPort = await freePort();
  const env = {
    ...process.env,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `bench${Date.now()}`,
    API_PORT: String(apiPort),
    WORKER_PORT: String(workerPort),
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-bench-data-')),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    NODE_ENV: 'production',
    ...extraEnv,
  };
  // The flags and environment the service's own launchers use (src/core/config/node-flags.ts).
  const { SERVICE_NODE_FLAGS: flags, SERVICE_ENV } = require(path.join(ROOT, 'dist', 'core', 'config', 'node-flags.js'));
  for (const [k, v] of Object.entries(SERVICE_ENV)) env[k] ??= v;
  procs.push(spawn(process.execPath, [...flags, path.join(ROOT, 'dist', 'main.js')], { env, stdio: 'ignore' }));
  await waitHttp(`http://127.0.0.1:${apiPort}/api/v1/health`);
  if (extraEnv.NO_WORKER !== '1') {
    procs.push(spawn(process.execPath, [...flags, path.join(ROOT, 'dist', 'worker.js')], { env, stdio: 'ignore' }));
    await waitHttp(`http://127.0.0.1:${workerPort}/health/live`);
  }
  return {
    baseUrl: `http://127.0.0.1:${apiPort}`,
    env,
    procs,
    async stop() {
      for (const p of [...procs].reverse()) {
        if (p.exitCode === null) {
          const exited = new Promise((r) => p.once('exit', r));
          p.kill('SIGTERM');
          // A worker drains its runs on SIGTERM; a bench does not wait for them.
          const timer = setTimeout(() => p.kill('SIGKILL'), 10000);
          await exited;
          clearTimeout(timer);
        }
      }
    },
  };
}

async function json(method, url, body) {
  const res = await fetch(url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

module.exports = { ROOT, freePort, waitHttp, venvDir, startStack, json, percentile };
