import { JobRecord } from '../domain/types';

/** What job submission needs from experiment tracking; the mlflow module provides it. */
export interface ExperimentTracker {
  readonly enabled: boolean;
  /** Gets or creates the job's experiment; throws ApiError mlflow_request_failed when that fails. */
  prepareExperiment(job: JobRecord): Promise<{ experimentId: string; url: string }>;
}

export const EXPERIMENT_TRACKER = Symbol('EXPERIMENT_TRACKER');
