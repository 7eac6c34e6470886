import { ExecutorKind } from '../domain/run-plan';
import { JobName } from './queue.constants';

export interface RunUnitJobData {
  jobId: string;
  unitKey: string;
  executor: ExecutorKind;
  indexes: number[];
  /** The job's tenant: whose turn the unit counts against while it waits (absent in old payloads). */
  tenant?: string;
}

export interface FinalizeJobData {
  jobId: string;
}

export interface TrackJobData {
  jobId: string;
}

/** One benchmark that ended while its job still runs. */
export interface TrackBenchmarkData {
  jobId: string;
  index: number;
}

export interface AutoRetryData {
  jobId: string;
  /** The retry this is (the job's retry_attempt once it runs). */
  attempt: number;
  indexes: number[];
}

/** Payload type of each job name, so producers and processors agree. */
export interface JobDataMap {
  [JobName.RunUnit]: RunUnitJobData;
  [JobName.FinalizeJob]: FinalizeJobData;
  [JobName.TrackJob]: TrackJobData;
  [JobName.TrackBenchmark]: TrackBenchmarkData;
  [JobName.AutoRetry]: AutoRetryData;
}

/** BullMQ job ids: deterministic per job and unit, so a re-submit or a retry never duplicates. */
export const bullJobId = {
  /** Attempt 0 keeps upstream-era ids; each retry gets its own finaliser. */
  finalize: (jobId: string, attempt = 0) => (attempt ? `job-${jobId}-r${attempt}` : `job-${jobId}`),
  unit: (jobId: string, unitKey: string) => `run-${jobId}-${unitKey}`,
  trackJob: (jobId: string) => `track-${jobId}-job`,
  trackBenchmark: (jobId: string, index: number) => `track-${jobId}-b${index}`,
  autoRetry: (jobId: string, attempt: number) => `autoretry-${jobId}-${attempt}`,
};

/** Validates a payload read back from Redis (it may predate the running code). */
export function parseRunUnitData(d: unknown): RunUnitJobData {
  const o = d as Partial<RunUnitJobData>;
  if (!o || typeof o.jobId !== 'string' || typeof o.unitKey !== 'string' || !Array.isArray(o.indexes) || typeof o.executor !== 'string') {
    throw new Error(`malformed run-unit payload: ${JSON.stringify(d)}`);
  }
  return o as RunUnitJobData;
}
