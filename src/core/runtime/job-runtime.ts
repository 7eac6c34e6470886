import type { JobRecord } from '../../domain/types';
import type { LogQuery } from '../logs/job-logs';

export type JobUnit = NonNullable<JobRecord['runs']>[number];

/**
 * What the API needs from a runtime that keeps state of its own outside Redis (Kubernetes Jobs,
 * pods), so that evaluations/ stays runtime-agnostic. Provided under JOB_RUNTIME by the runtime's
 * module (src/kubernetes/); without one, a job has nothing to check, clean up or read elsewhere.
 */
export interface JobRuntime {
  /** Throws ApiError when the job cannot run there (e.g. a HardwareProfile missing or disabled). */
  checkSubmit(job: JobRecord): Promise<void>;
  /** Removes what the runtime created for the job, whatever state it is in; never throws. */
  removeResources(job: JobRecord): Promise<void>;
  /** The unit's log lines if the runtime holds them, undefined when they are in the Redis stream. */
  unitLogs(job: JobRecord, unit: JobUnit, indexes: number[], q: LogQuery, headers: boolean): Promise<string[] | undefined>;
}

export const JOB_RUNTIME = Symbol('JOB_RUNTIME');
