import { Injectable } from '@nestjs/common';

export type StopReason = 'cancelled' | 'timeout' | 'shutdown';

interface ActiveRun {
  jobId: string;
  controller: AbortController;
  reason?: StopReason;
  timer: NodeJS.Timeout;
}

export interface RunHandle {
  signal: AbortSignal;
  reason(): StopReason | undefined;
  done(): void;
}

/** The units this worker is running now, so cancel, timeout and shutdown can stop them. */
@Injectable()
export class ActiveRuns {
  private readonly runs = new Map<string, ActiveRun>();
  private idleWaiters: (() => void)[] = [];

  start(jobId: string, unitKey: string, timeoutMs: number): RunHandle {
    const key = `${jobId}/${unitKey}`;
    const controller = new AbortController();
    const run: ActiveRun = { jobId, controller, timer: setTimeout(() => this.stop(run, 'timeout'), timeoutMs) };
    this.runs.set(key, run);
    return {
      signal: controller.signal,
      reason: () => run.reason,
      done: () => {
        clearTimeout(run.timer);
        this.runs.delete(key);
        if (this.runs.size === 0) this.idleWaiters.splice(0).forEach((w) => w());
      },
    };
  }

  get size(): number {
    return this.runs.size;
  }

  cancelJob(jobId: string): number {
    let n = 0;
    for (const run of this.runs.values()) if (run.jobId === jobId) (this.stop(run, 'cancelled'), n++);
    return n;
  }

  stopAll(reason: StopReason): void {
    for (const run of this.runs.values()) this.stop(run, reason);
  }

  /** Resolves when nothing runs any more, or after `ms`. */
  waitIdle(ms: number): Promise<boolean> {
    if (this.runs.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private stop(run: ActiveRun, reason: StopReason): void {
    if (run.controller.signal.aborted) return;
    run.reason = reason;
    run.controller.abort(reason);
  }
}
