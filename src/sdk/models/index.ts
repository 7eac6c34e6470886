// `evalhub/models`: the EvalHub v1 resources as TypeScript types, generated from the service's
// OpenAPI document (api-types.ts, checked against it by test/api/dashboard-types), so they
// cannot drift from what the API accepts and answers.
import type { components, paths } from './api-types';

export type { components, paths };
type Schemas = components['schemas'];

export type Provider = Schemas['ProviderResourceDto'];
export type ProviderConfig = Schemas['ProviderConfigDto'];
export type ProviderList = Schemas['ProviderListDto'];
export type ProviderBenchmark = Schemas['ProviderBenchmarkDto'];
export type Collection = Schemas['CollectionResourceDto'];
export type CollectionConfig = Schemas['CollectionConfigDto'];
export type CollectionList = Schemas['CollectionListDto'];
export type Job = Schemas['JobResourceDto'];
export type JobSubmission = Schemas['JobSubmissionDto'];
export type JobList = Schemas['JobListDto'];
export type JobStatusInfo = Schemas['JobStatusDto'];
export type BenchmarkStatus = Schemas['BenchmarkStatusDto'];
export type BenchmarkResult = Schemas['BenchmarkResultDto'];
export type BenchmarkStatusEvent = Schemas['BenchmarkStatusEventDto'];
export type StatusEvent = Schemas['StatusEventDto'];
export type MessageInfo = Schemas['MessageInfoDto'];
export type Gate = Schemas['GateResourceDto'];
export type GateEvaluation = Schemas['GateEvaluationDto'];
export type JobComparison = Schemas['JobComparisonDto'];

/** A job's overall state. */
export type JobState = Job['status']['state'];
/** A benchmark's state within a job. */
export type BenchmarkState = BenchmarkStatus['status'];
export const TERMINAL_JOB_STATES: readonly JobState[] = ['completed', 'failed', 'partially_failed', 'cancelled'];

/** A benchmark as `evalhub benchmarks` and `client.benchmarks.list()` show it: with its provider. */
export type BenchmarkEntry = ProviderBenchmark & { provider_id: string };

/** One event of a job's stream (GET /jobs/{id}/stream): a status snapshot, or a log line. */
export type JobStreamEvent =
  | { event: 'status' | 'result'; id?: string; data: JobStreamSnapshot }
  | { event: 'log'; id?: string; data: { unit: string; benchmark_indexes: number[]; time: string; line: string } }
  | { event: 'deleted'; id?: string; data: unknown };

/** The snapshot a job's stream carries with every change (the results once it is terminal). */
export interface JobStreamSnapshot {
  id: string;
  updated_at?: string;
  state: JobState;
  message: MessageInfo | null;
  benchmarks: BenchmarkStatus[];
  /** Overall percent done, 0 to 100. */
  percent: number;
  results?: Job['results'];
}
