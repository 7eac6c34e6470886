import { Injectable } from '@nestjs/common';

export type StopReason = 'cancelled' | 'timeout' | 'shutdown';

interface ActiveRun {
  jobId: string;
  controller: AbortController;
  reason?: StopReason;
  timer: NodeJS.Timeout;
  finished: Promise<void>;
  finish: () => void;
  /** Aborted when a benchmark of the unit was finished from outside (its adapter's /events). */
  benchmarkDone: Map<number, AbortController>;
}

export interface RunHandle {
  signal: AbortSignal;
  /** Aborts once benchmark `index` has reached a terminal state through another path. */
  benchmarkSignal(index: number): AbortSignal;
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
    let finish = () => undefined as void;
    const finished = new Promise<void>((r) => (finish = r));
    const run: ActiveRun = { jobId, controller, timer: setTimeout(() => this.stop(run, 'timeout'), timeoutMs), finished, finish, benchmarkDone: new Map() };
    this.runs.set(key, run);
    return {
      signal: controller.signal,
      benchmarkSignal: (index) => doneController(run, index).signal,
      reason: () => run.reason,
      done: () => {
        clearTimeout(run.timer);
        if (this.runs.get(key) === run) this.runs.delete(key);
        run.finish();
        if (this.runs.size === 0) this.idleWaiters.splice(0).forEach((w) => w());
      },
    };
  }

  /**
   * The run of this unit already going on in this process, if any: BullMQ hands a unit out again
   * when its lock lapsed (a Redis outage longer than the lock), while the first run goes on here.
   */
  running(jobId: string, unitKey: string): { finished: Promise<void>; reason(): StopReason | undefined } | undefined {
    const run = this.runs.get(`${jobId}/${unitKey}`);
    return run && { finished: run.finished, reason: () => run.reason };
  }

  get size(): number {
    return this.runs.size;
  }

  cancelJob(jobId: string): number {
    let n = 0;
    for (const run of this.runs.values()) {
      if (run.jobId !== jobId) continue;
      this.stop(run, 'cancelled');
      n++;
    }
    return n;
  }

  /** A benchmark of the job ended (e.g. its adapter reported completion): its process may go. */
  benchmarkFinished(jobId: string, index: number): number {
    let n = 0;
    for (const run of this.runs.values()) {
      if (run.jobId !== jobId) continue;
      const c = doneController(run, index);
      if (c.signal.aborted) continue;
      c.abort('finished');
      n++;
    }
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

function doneController(run: ActiveRun, index: number): AbortController {
  let c = run.benchmarkDone.get(index);
  if (!c) run.benchmarkDone.set(index, (c = new AbortController()));
  return c;
}
