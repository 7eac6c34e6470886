import { spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import type { RunLog } from './executor.interface';
import { RunOutcome } from './executor.interface';

const KILL_GRACE_MS = 3000;
/** How long what a finished process left in its group may go on writing before it is stopped. */
const ORPHAN_GRACE_MS = 2000;

/** Whether a process (group leader) still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When a process started (clock ticks since boot, field 22 of /proc/<pid>/stat), or undefined off
 * Linux. Together with the pid it names one process: pids are reused, start times are not.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** SIGTERM to the whole group, SIGKILL after a grace period if anything is left. */
export function killGroup(pid: number, graceMs = KILL_GRACE_MS): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, graceMs);
  timer.unref();
}

/**
 * Runs a command in its own process group, streams its output into the log and stops the whole
 * group (children included) when the signal aborts.
 */
export function runInGroup(
  command: string,
  args: string[],
  opts: {
    env: NodeJS.ProcessEnv;
    cwd: string;
    logs: RunLog;
    signal: AbortSignal;
    onSpawn?: (pid: number) => void | Promise<void>;
    /** Called with each output line (split on \n and \r, so progress bars count too). */
    onLine?: (line: string) => void;
    /** Run as this user (the worker must be root to switch). */
    runAs?: { uid: number; gid: number };
  },
): Promise<RunOutcome> {
  return new Promise((resolve) => {
    if (opts.signal.aborted) return resolve({ exitCode: null, signal: 'SIGTERM' });
    const spawnOpts: SpawnOptions = { env: opts.env, cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.runAs ?? {}) };
    const child = spawn(command, args, spawnOpts);
    const onAbort = () => child.pid && killGroup(child.pid);
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const onData = (d: Buffer) => {
      opts.logs.write(d);
      if (opts.onLine) for (const l of d.toString().split(/\r\n|\n|\r/)) if (l) opts.onLine(l);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', (err) => {
      opts.logs.line(`failed to start: ${err.message}`);
    });
    if (child.pid && opts.onSpawn) {
      const pid = child.pid;
      // The run goes on; only a later retry's cleanup of this process is affected.
      void Promise.resolve(opts.onSpawn(pid)).catch((e: unknown) => opts.logs.line(`[evalhub] could not record process ${pid}: ${(e as Error).message}`));
    }
    // The leader may exit while something it started still holds its output pipes (then 'close'
    // would wait for that process): shortly after the exit, the rest of the group is stopped.
    child.on('exit', () => {
      const pid = child.pid;
      if (!pid) return;
      setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* group already empty */
        }
      }, ORPHAN_GRACE_MS).unref();
    });
    child.on('close', (code, signal) => {
      opts.signal.removeEventListener('abort', onAbort);
      // The leader is gone; make sure nothing it started lingers.
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* group already empty */
        }
      }
      resolve({ exitCode: code, signal });
    });
  });
}
