/** Every BullMQ queue and job name. Values are kebab-case: BullMQ rejects ':' in names and ids. */
export enum QueueName {
  /** One job per run unit (a benchmark, or lm-eval benchmarks sharing one process). */
  BenchmarkRuns = 'benchmark-runs',
  /** Parent of a job's run units: runs once all of them are done. */
  JobFinalize = 'job-finalize',
  /** MLflow writes, retried with backoff while MLflow is unreachable. */
  Tracking = 'mlflow-tracking',
}

export enum JobName {
  RunUnit = 'run-unit',
  FinalizeJob = 'finalize-job',
  TrackJob = 'track-job',
  TrackBenchmark = 'track-benchmark',
  /** A finished job's transient failures, run again after a backoff (delayed job on job-finalize). */
  AutoRetry = 'auto-retry',
}

export const FLOW_PRODUCER = 'evaluations';
