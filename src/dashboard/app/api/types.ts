// The shapes the dashboard reads, taken from the generated OpenAPI types (api-types.ts) so they
// cannot drift from the API. Only what the document does not describe is declared here: the
// event stream payloads, the comparison (GET /jobs/compare documents no response body), and two
// fields the API sends without documenting them (marked).
import type { components } from '../api-types';

type Schemas = components['schemas'];

export type BenchmarkStatus = Schemas['BenchmarkStatusDto'];
export type JobStatus = Schemas['JobStatusDto'];

export type BenchmarkResult = Schemas['BenchmarkResultDto'] & {
  /** Served (why a result has no test), not in the document. */
  warning_message?: Schemas['MessageInfoDto'] | null;
};

export type JobResults = Omit<Schemas['JobResultsDto'], 'benchmarks'> & { benchmarks?: BenchmarkResult[] | null };

export type Job = Omit<Schemas['JobResourceDto'], 'results'> & {
  results: JobResults;
  /** Served (MLflow recording state), not in the document. */
  tracking?: { state: string; last_error?: string };
};

export type JobList = Omit<Schemas['JobListDto'], 'items'> & { items: Job[] };
export type JobSubmission = Schemas['JobSubmissionDto'];
export type BenchmarkConfig = Schemas['BenchmarkConfigDto'];

export type Provider = Schemas['ProviderResourceDto'];
export type ProviderBenchmark = Schemas['ProviderBenchmarkDto'];
export type ProviderList = Schemas['ProviderListDto'];
export type Collection = Schemas['CollectionResourceDto'];
export type CollectionList = Schemas['CollectionListDto'];

export type MetricStatistics = Schemas['MetricStatisticsDto'];
export type Verdict = 'pass' | 'fail' | 'inconclusive';

export type Artifact = Schemas['ArtifactItemDto'];
export type ArtifactList = Schemas['ArtifactListDto'];

/** GET /jobs/compare: each candidate against the baseline (src/domain/comparison.ts). */
export type Outcome = 'improved' | 'regressed' | 'no_significant_change' | 'not_tested';

export interface MetricComparison {
  metric: string;
  primary: boolean;
  baseline: number;
  candidate: number;
  /** candidate − baseline */
  difference: number;
  ci95?: [number, number];
  p_value?: number;
  test: 'mcnemar_exact' | 'sign_flip_permutation' | 'unpaired_z' | 'none';
  n_paired?: number;
  note?: string;
}

export interface BenchmarkComparison {
  provider_id: string;
  id: string;
  baseline_index: number;
  candidate_index: number;
  metrics: MetricComparison[];
  outcome: Outcome;
  /** The primary metric's p-value after the Holm correction over the candidate's benchmarks. */
  adjusted_p_value?: number;
}

export interface OnlyIn {
  provider_id: string;
  id: string;
  benchmark_index: number;
}

export interface CandidateComparison {
  candidate: { id: string; name: string };
  benchmarks: BenchmarkComparison[];
  only_in_baseline: OnlyIn[];
  only_in_candidate: OnlyIn[];
  summary: Record<Outcome, number> & { correction: 'holm'; alpha: number };
}

export interface JobComparison {
  baseline: { id: string; name: string };
  comparisons: CandidateComparison[];
}

/** `data` of the job stream's `status` / `result` events. */
export interface JobSnapshot {
  id: string;
  updated_at?: string;
  state: JobStatus['state'];
  message: JobStatus['message'];
  benchmarks: BenchmarkStatus[];
  percent?: number;
  results?: JobResults;
}

/** `data` of the all-jobs stream's `job` events. */
export interface JobChange {
  id: string;
  tenant?: string;
  name: string;
  state: JobStatus['state'];
  percent?: number;
  updated_at?: string;
}

/** `data` of the job stream's `log` events (?logs=true). */
export interface LogLine {
  unit: string;
  benchmark_indexes: number[];
  time: string;
  line: string;
}

/** Every non-2xx JSON answer (the document's ErrorDto has no properties listed). */
export interface ErrorBody {
  message_code: string;
  message: string;
  trace?: string;
}

export const TERMINAL_STATES: readonly string[] = ['completed', 'failed', 'cancelled', 'partially_failed'];
export const JOB_STATES = ['pending', 'running', 'completed', 'failed', 'cancelled', 'partially_failed'] as const;
export const RISK_CATEGORIES = ['low', 'medium', 'high', 'critical'] as const;

export function isTerminal(state: string | undefined): boolean {
  return state !== undefined && TERMINAL_STATES.includes(state);
}

export type Gate = Schemas['GateResourceDto'];
export type GateList = Schemas['GateListDto'];
export type GateEvaluation = Schemas['GateEvaluationDto'];
