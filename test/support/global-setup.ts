import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, waitFor, isListening } from './ports';

/**
 * Starts what the system tests share: a real redis-server on a free port (unless REDIS_URL is
 * set). The service itself is started per suite from dist/ (see service.ts).
 */
export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  if (!fs.existsSync(path.join(root, 'dist', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
  if (process.env.REDIS_URL) return;
  const bin = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!bin) throw new Error('redis-server is not installed (Debian: apt-get install redis-server) and REDIS_URL is not set');
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-test-redis-'));
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  await waitFor('redis-server', () => isListening(port), 10000);
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
  process.env.EVALHUB_TEST_REDIS_PID = String(child.pid);
}
