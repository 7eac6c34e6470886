import { WorkerOptions } from 'bullmq';
import { loadConfig } from '../core/config/app-config';

/**
 * Worker settings BullMQ fixes when the Worker is constructed, i.e. when the @Processor decorator
 * is evaluated, before Nest's DI exists: so the config is loaded here once more, by the same
 * parser and checks as at boot (a bad value fails the same way).
 */
export function runWorkerOptions(): Partial<WorkerOptions> {
  let cfg;
  try {
    cfg = loadConfig();
  } catch {
    // Not here: this runs while modules load, and the boot's loadConfig stops the worker with
    // the same error, reported properly, before any Worker connects.
    return {};
  }
  return {
    lockDuration: cfg.queueLockDurationMs,
    stalledInterval: cfg.queueStalledIntervalMs,
    // A dying worker is not the benchmark's fault: a unit it held is handed out again without using
    // up one of the unit's attempts, up to this separate bound (crash loops, rolling deploys).
    maxStalledCount: cfg.queueMaxStalledCount,
    concurrency: cfg.maxConcurrentEvaluations,
  };
}
