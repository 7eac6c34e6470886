import type { OCIArtifactResult } from './oci/persister';

// What an adapter reports, in the original design's names with TypeScript conventions.

export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export const JobStatus = { PENDING: 'pending', RUNNING: 'running', COMPLETED: 'completed', FAILED: 'failed', CANCELLED: 'cancelled' } as const;

export type JobPhase = 'initializing' | 'loading_data' | 'running_evaluation' | 'post_processing' | 'persisting_artifacts' | 'completed' | 'failed';
export const JobPhase = {
  INITIALIZING: 'initializing',
  LOADING_DATA: 'loading_data',
  RUNNING_EVALUATION: 'running_evaluation',
  POST_PROCESSING: 'post_processing',
  PERSISTING_ARTIFACTS: 'persisting_artifacts',
  COMPLETED: 'completed',
  FAILED: 'failed',
} as const;

export interface MessageInfo {
  message: string;
  messageCode: string;
}

export interface JobStatusUpdate {
  status: JobStatus;
  phase?: JobPhase;
  /** Share done, 0 to 1. */
  progress?: number;
  message?: MessageInfo;
  completedSteps?: number;
  totalSteps?: number;
  /** For a failed status: why. */
  error?: MessageInfo;
}

export interface EvaluationResult {
  metricName: string;
  metricValue: number | string | boolean | number[];
  metricType?: 'numeric' | 'categorical' | 'boolean' | 'list';
  numSamples?: number;
  metadata?: Record<string, unknown>;
}

export interface JobResults {
  id: string;
  benchmarkId: string;
  benchmarkIndex: number;
  modelName: string;
  results: EvaluationResult[];
  overallScore?: number;
  numExamplesEvaluated?: number;
  durationSeconds: number;
  completedAt?: Date;
  /** Free-form; `artifacts` in it (name → path or value) is added to the reported artifacts. */
  evaluationMetadata?: Record<string, unknown>;
  /** Set by runAdapter when the JobSpec asks for an OCI export. */
  ociArtifact?: OCIArtifactResult;
  mlflowRunId?: string;
  additionalInfo?: Record<string, unknown>;
}
