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
    // A dying worker is not the benchmark's fault: a unit it held is handed out again without using
    // up one of the unit's attempts, up to this separate bound (crash loops, rolling deploys).
    maxStalledCount: num('QUEUE_MAX_STALLED_COUNT', 10),
    concurrency: num('MAX_CONCURRENT_EVALUATIONS', 4),
  };
}
