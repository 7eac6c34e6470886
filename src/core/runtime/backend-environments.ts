import * as fs from 'fs';
import * as path from 'path';
import { setupCommand } from '../../domain/native-backends';
import { AppConfig, EXTRA_BACKEND_ENVS } from '../config/app-config';

export interface EnvironmentState {
  ready: boolean;
  path: string;
  /** Why not ready, with the command that fixes it. */
  reason?: string;
}

/** The program whose presence says an environment can run its backend. */
const ENTRY: Record<string, string> = { core: 'lm-eval', guidellm: 'guidellm', garak: 'garak', lighteval: 'lighteval', ragas: 'python' };

/** The Python environment each backend needs, and whether it is there (setup writes `.complete` last). */
export function environmentPath(cfg: AppConfig, env: string): string {
  return env === 'core' ? cfg.pythonVenv : cfg.backendVenvs[env];
}

export function environmentState(cfg: AppConfig, env: string): EnvironmentState {
  const dir = environmentPath(cfg, env);
  if (!dir) return { ready: false, path: '', reason: `no environment is known for '${env}'` };
  const bin = path.join(dir, 'bin', ENTRY[env] ?? 'python');
  const complete = env === 'core' || fs.existsSync(path.join(dir, '.complete'));
  if (complete && fs.existsSync(bin)) return { ready: true, path: dir };
  return { ready: false, path: dir, reason: `${env === 'core' ? 'the core Python' : `the ${env}`} environment is not installed on this worker: run ${setupCommand(env)}` };
}

/** Every environment's state on this machine. */
export function environmentStates(cfg: AppConfig): Record<string, EnvironmentState> {
  const out: Record<string, EnvironmentState> = {};
  for (const env of ['core', ...EXTRA_BACKEND_ENVS]) out[env] = environmentState(cfg, env);
  return out;
}

/** What a worker publishes about itself (RedisKeys.workerEnvironments), refreshed while it runs. */
export interface WorkerEnvironments {
  hostname: string;
  /** Milliseconds since the epoch of the last refresh; stale entries belong to dead workers. */
  at: number;
  environments: Record<string, { ready: boolean; reason?: string }>;
}

export const WORKER_ENVIRONMENTS_REFRESH_MS = 15_000;
/** An entry older than this is a worker that stopped without removing it. */
export const WORKER_ENVIRONMENTS_STALE_MS = 3 * WORKER_ENVIRONMENTS_REFRESH_MS;
