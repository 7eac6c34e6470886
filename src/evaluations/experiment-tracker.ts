import { JobRecord } from '../domain/types';

/** What job submission needs from experiment tracking; the mlflow module provides it. */
export interface ExperimentTracker {
  readonly enabled: boolean;
  /**
   * Gets or creates the job's experiment. When MLflow is unreachable the job is still accepted:
   * no id yet, tracking catches up later. A request MLflow rejects is ApiError mlflow_request_failed.
   */
  prepareExperiment(job: JobRecord): Promise<{ experimentId?: string; url?: string }>;
  /** A link a person can open: the run's page in the tracking UI. */
  runUrl(experimentId: string, runId: string): string;
  /** The files a recorded run holds (name and size); empty when tracking is off. */
  runArtifacts(runId: string): Promise<{ name: string; size_bytes?: number }[]>;
  /** One file of a recorded run; undefined when it has none of that name. */
  readRunArtifact(runId: string, name: string): Promise<Buffer | undefined>;
}

export const EXPERIMENT_TRACKER = Symbol('EXPERIMENT_TRACKER');
