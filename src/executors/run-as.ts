import * as fs from 'fs';
import * as path from 'path';
import { AppConfig } from '../core/config/app-config';

export interface RunUser {
  user: string;
  uid: number;
  gid: number;
}

/** The user benchmark processes run as: the configured one when the worker is root, else the worker's own. */
export function runUser(cfg: Pick<AppConfig, 'runAs'>): RunUser | undefined {
  return cfg.runAs && process.getuid?.() === 0 ? cfg.runAs : undefined;
}

/**
 * Gives the run user a benchmark's folder (recursively) and lets it pass through the folders
 * above it up to the data folder (0711: through, not list), so it can write its outputs and
 * nothing else of the worker's.
 */
export function handOver(dir: string, dataDir: string, user: RunUser): void {
  const chownAll = (p: string) => {
    fs.chownSync(p, user.uid, user.gid);
    if (fs.statSync(p).isDirectory()) for (const f of fs.readdirSync(p)) chownAll(path.join(p, f));
  };
  chownAll(dir);
  for (let p = path.dirname(dir); p.startsWith(dataDir); p = path.dirname(p)) {
    fs.chmodSync(p, 0o711);
    if (p === dataDir) break;
  }
}

/**
 * A copy of a worker-only file (an MLflow token, a CA bundle) that the run user can read, kept in
 * step with the original while the run lasts (tokens rotate). Returns the copy and a stop function.
 */
export function mirrorForRunUser(src: string, dst: string, user: RunUser): { path: string; stop: () => void } {
  const copy = () => {
    try {
      fs.copyFileSync(src, dst);
      fs.chownSync(dst, user.uid, user.gid);
      fs.chmodSync(dst, 0o600);
    } catch {
      /* the original is being rewritten: the next change copies it */
    }
  };
  copy();
  const onChange = () => copy();
  fs.watchFile(src, { interval: 500, persistent: false }, onChange);
  return { path: dst, stop: () => fs.unwatchFile(src, onChange) };
}
