import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from './service';

/** Where scripts/setup-python.sh put a backend's environment (the same rule as the service's config). */
export function backendVenv(name: string): string {
  const cache = process.env.EVALHUB_CACHE_DIR || (process.getuid?.() === 0 ? '/var/cache/evalhub' : path.join(os.homedir(), '.cache', 'evalhub'));
  const lock = fs.readFileSync(path.join(ROOT, 'python', 'backends', name, 'lock.txt'));
  return path.join(cache, `backend-${name}-${createHash('sha256').update(lock).digest('hex').slice(0, 16)}`);
}

/** Fails the suite at once, with the fix, when setup has not built a backend's environment. */
export function requireBackendEnv(...names: string[]): void {
  for (const b of names) {
    if (!fs.existsSync(path.join(backendVenv(b), '.complete'))) throw new Error(`the ${b} environment is missing: run npm run setup -- --backends ${b} (npm test builds every one)`);
  }
}

/** The offline switches every backend run gets (backends.md §5.4). */
export const OFFLINE_ENV = { HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', HF_EVALUATE_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' };

/**
 * Runs a backend's tool directly (not through EvalHub), for reference numbers. Asynchronous on
 * purpose: the fake model lives in the test process and must keep answering.
 */
export async function runDirect(bin: string, args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: { PATH: `${path.dirname(bin)}:${process.env.PATH}`, HOME: process.env.HOME, ...OFFLINE_ENV, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Process lines (pid and command) whose command line mentions `needle`: what a cancel must leave empty. */
export function processesMentioning(needle: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo'));
}
