import { ChildProcess, spawn, spawnSync } from 'child_process';
import { SERVICE_ENV, SERVICE_NODE_FLAGS } from './core/config/node-flags';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { loadConfig } from './core/config/app-config';

/**
 * One command for one machine: makes sure Redis is there (starting a local redis-server with its
 * data under $DATA_DIR/redis when REDIS_URL is unset and nothing listens on the port), then runs
 * the API and a worker as two processes and stops all of them together.
 * EVALHUB_LOCAL_REDIS_PORT picks another port than 6379 for that Redis.
 */
const root = path.resolve(__dirname, '..');
const redisPort = Number(process.env.EVALHUB_LOCAL_REDIS_PORT || 6379);

function listening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function ensureRedis(): Promise<ChildProcess | undefined> {
  if (process.env.REDIS_URL) return undefined;
  process.env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
  if (await listening(redisPort)) return undefined;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const bin = which.stdout.trim();
  if (!bin) {
    process.stderr.write(
      `EvalHub needs Redis. Nothing listens on 127.0.0.1:${redisPort} and redis-server is not installed.\n` +
        '  Debian/Ubuntu: sudo apt-get install redis-server\n  macOS: brew install redis\n' +
        'or point REDIS_URL at a running Redis (redis://host:6379).\n',
    );
    process.exit(1);
  }
  const dir = path.join(path.resolve(process.env.DATA_DIR || path.join(root, '.data')), 'redis');
  fs.mkdirSync(dir, { recursive: true });
  // Same durability settings as production: append-only file, never evict queue data.
  const redis = spawn(bin, ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 50 && !(await listening(redisPort)); i++) await new Promise((r) => setTimeout(r, 100));
  process.stdout.write(`started redis-server on 127.0.0.1:${redisPort} (data in ${dir})\n`);
  return redis;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * MLflow for a first run: when MLFLOW_TRACKING_URI is unset (and neither --no-mlflow nor
 * EVALHUB_EMBEDDED_MLFLOW=false), a local `mlflow server` from the project environment, SQLite
 * and artifacts under $DATA_DIR/mlflow, on a free port (EVALHUB_MLFLOW_PORT to pick one). The
 * service does not wait for it: jobs submitted before it answers catch up (tracking: pending).
 */
async function ensureMlflow(): Promise<ChildProcess | undefined> {
  if (process.env.MLFLOW_TRACKING_URI || process.argv.includes('--no-mlflow') || process.env.EVALHUB_EMBEDDED_MLFLOW === 'false') return undefined;
  let venv: string;
  let dataDir: string;
  try {
    const cfg = loadConfig();
    venv = cfg.pythonVenv;
    dataDir = cfg.dataDir;
  } catch {
    return undefined; // the API reports the configuration error itself
  }
  const bin = path.join(venv, 'bin', 'mlflow');
  if (!fs.existsSync(bin)) {
    process.stdout.write(`MLflow: not installed (${bin} is missing; npm run setup installs it); running without tracking\n`);
    return undefined;
  }
  const dir = path.join(dataDir, 'mlflow');
  fs.mkdirSync(dir, { recursive: true });
  const port = Number(process.env.EVALHUB_MLFLOW_PORT) || (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  const args = ['server', '--backend-store-uri', `sqlite:///${path.join(dir, 'mlflow.db')}`, '--artifacts-destination', path.join(dir, 'artifacts'), '--host', '127.0.0.1', '--port', String(port), '--workers', '1'];
  // Its own process group: uvicorn and its helpers stop with it.
  const mlflow = spawn(bin, args, { stdio: ['ignore', log, log], detached: true, cwd: dir, env: { ...process.env, PATH: `${path.join(venv, 'bin')}:${process.env.PATH ?? ''}` } });
  process.env.MLFLOW_TRACKING_URI = url;
  process.stdout.write(`MLflow: starting at ${url} (data in ${dir}, log in ${path.join(dir, 'server.log')}; --no-mlflow to run without)\n`);
  void (async () => {
    const started = Date.now();
    while (mlflow.exitCode === null && Date.now() - started < 180_000) {
      try {
        if ((await fetch(`${url}/health`)).ok) {
          process.stdout.write(`MLflow: ready at ${url} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
          return;
        }
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    if (mlflow.exitCode !== null) process.stderr.write(`MLflow: exited with code ${mlflow.exitCode}; see ${path.join(dir, 'server.log')}\n`);
  })();
  return mlflow;
}

function stopGroup(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

async function main(): Promise<void> {
  const apps: ChildProcess[] = [];
  // Declared before the signal handlers that read them, set after.
  // eslint-disable-next-line prefer-const
  let redis: ChildProcess | undefined;
  // eslint-disable-next-line prefer-const
  let mlflow: ChildProcess | undefined;
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    // API and worker first (the worker drains its runs), Redis last.
    apps.forEach((c) => c.exitCode === null && c.kill('SIGTERM'));
    void Promise.all(apps.map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(null))))).then(() => {
      stopGroup(mlflow);
      redis?.kill('SIGTERM');
      process.exit(code);
    });
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  // A closed terminal stops everything too, MLflow's own process group included.
  process.on('SIGHUP', () => stop(0));
  redis = await ensureRedis();
  mlflow = await ensureMlflow();
  for (const entry of ['main.js', 'worker.js']) {
    // The IPC channel tells the child when this launcher is gone (see main.ts, worker.ts).
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, path.join(__dirname, entry)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...SERVICE_ENV, ...process.env } });
    child.on('exit', (code) => stop(code ?? 1));
    apps.push(child);
  }
}

void main();
