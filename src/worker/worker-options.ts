import { WorkerOptions } from 'bullmq';

/**
 * Worker settings BullMQ fixes when the Worker is constructed, i.e. when the @Processor decorator
 * is evaluated, before Nest's DI exists: so these few are read from the environment here (and
 * documented in the README with the rest of the configuration).
 */
export function runWorkerOptions(): Partial<WorkerOptions> {
  const num = (name: string, fallback: number) => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  return {
    lockDuration: num('QUEUE_LOCK_DURATION_MS', 30000),
    stalledInterval: num('QUEUE_STALLED_INTERVAL_MS', 30000),
    // A unit can be interrupted by a dying worker more than once (rolling deploys); allow it.
    maxStalledCount: 3,
    concurrency: num('MAX_CONCURRENT_EVALUATIONS', 4),
  };
}
