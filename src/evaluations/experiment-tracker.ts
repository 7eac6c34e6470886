import { JobRecord } from '../domain/types';

/** What job submission needs from experiment tracking; the mlflow module provides it. */
export interface ExperimentTracker {
  readonly enabled: boolean;
  /**
   * Gets or creates the job's experiment. When MLflow is unreachable the job is still accepted:
   * no id yet, tracking catches up later. A request MLflow rejects is ApiError mlflow_request_failed.
   */
  prepareExperiment(job: JobRecord): Promise<{ experimentId?: string; url?: string }>;
}

export const EXPERIMENT_TRACKER = Symbol('EXPERIMENT_TRACKER');
