import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

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

async function main(): Promise<void> {
  const apps: ChildProcess[] = [];
  // eslint-disable-next-line prefer-const -- declared before the signal handlers that read it, set after
  let redis: ChildProcess | undefined;
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    // API and worker first (the worker drains its runs), Redis last.
    apps.forEach((c) => c.exitCode === null && c.kill('SIGTERM'));
    void Promise.all(apps.map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(null))))).then(() => {
      redis?.kill('SIGTERM');
      process.exit(code);
    });
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  redis = await ensureRedis();
  for (const entry of ['main.js', 'worker.js']) {
    const child = spawn(process.execPath, [path.join(__dirname, entry)], { stdio: 'inherit', env: process.env });
    child.on('exit', (code) => stop(code ?? 1));
    apps.push(child);
  }
}

void main();
