import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { HrefDto } from '../../providers/dto/provider.dto';
import { JobSubmissionDto } from './job-submission.dto';
import { BenchmarkStatusEventDto, MessageInfoDto, MetricSchemaDto } from './status-event.dto';

export class JobResourceMetaDto {
  id: string;
  tenant?: string;
  owner?: string;
  created_at: string;
  updated_at?: string;
  /** MLflow experiment of the job, when it has one. */
  mlflow_experiment_id?: string;
}

export class BenchmarkStatusDto {
  provider_id: string;
  id: string;
  benchmark_index: number;
  @ApiProperty({ enum: ['pending', 'running', 'completed', 'failed', 'cancelled'] })
  status: string;
  phase?: string;
  /** Share done, 0 to 1 (EvalHub's own executors; an addition to v1). */
  progress?: number;
  /** Units done of `total_count` (see `count_unit`). */
  completed_count?: number;
  /** Units the benchmark has in all. */
  total_count?: number;
  @ApiProperty({ enum: ['samples', 'requests', 'probes', 'rows'], required: false, description: 'What the counts count.' })
  count_unit?: string;
  /** Seconds left at the rate seen so far. */
  eta_seconds?: number;
  /** For a benchmark waiting for a worker: its place in the queue, 1 = next (single-job reads). */
  queue_position?: number;
  /** For a benchmark waiting for a worker: seconds until it likely starts (its place, the worker slots and recent run times). */
  queue_eta_seconds?: number;
  error_message?: MessageInfoDto;
  warning_message?: MessageInfoDto;
  started_at?: string;
  completed_at?: string;
}

export class JobStatusDto {
  @ApiProperty({ enum: ['pending', 'running', 'completed', 'failed', 'cancelled', 'partially_failed'] })
  state: string;
  @ApiProperty({ type: MessageInfoDto, nullable: true })
  message: MessageInfoDto | null;
  /** Benchmarks that reported at least once, in arrival order. */
  @ApiProperty({ type: [BenchmarkStatusDto] })
  benchmarks: BenchmarkStatusDto[];
  /** Overall percent done, 0 to 100 (an addition to v1). */
  percent?: number;
}

const VERDICT: ApiPropertyOptions = { enum: ['pass', 'fail', 'inconclusive'], required: false, description: '`pass` when the whole 95% interval clears the threshold, `fail` when it lies wholly on the wrong side, `inconclusive` otherwise (an EvalHub addition).' };
const CI95: ApiPropertyOptions = { type: [Number], minItems: 2, maxItems: 2, required: false, description: '95% interval [low, high] (an EvalHub addition).' };

export class BenchmarkTestDto {
  primary_score: number;
  primary_score_metric: string;
  threshold: number;
  pass: boolean;
  @ApiProperty(VERDICT)
  verdict?: string;
  @ApiProperty(CI95)
  ci95?: number[];
}

export class MetricStatisticsDto {
  /** Samples behind the value, when known. */
  n?: number;
  /** Standard error of the value. */
  stderr: number;
  @ApiProperty({ ...CI95, required: true } as ApiPropertyOptions)
  ci95: number[];
  @ApiProperty({ enum: ['backend_stderr', 'bootstrap'], description: "From the backend's own standard error, or a bootstrap (fixed seed) over the run's per-sample scores." })
  method: string;
}

/** What a benchmark's model calls cost, counted by the worker's model gateway (an EvalHub addition). */
export class ModelUsageDto {
  /** Calls that reached the model. */
  requests: number;
  /** Prompt tokens of those calls (from the answers' usage, or estimated). */
  prompt_tokens: number;
  /** Completion tokens of those calls. */
  completion_tokens: number;
  /** Prompt and completion tokens together. */
  total_tokens: number;
  /** Calls that failed for good, after the gateway's retries. */
  errors: number;
  /** Extra attempts made for transient failures (connection errors, 429, 502-504). */
  retries: number;
  /** Calls answered from the response cache. */
  cached: number;
  /** From the first call to the last answer. */
  wall_seconds: number;
  /** The model's own time, summed over calls. */
  model_seconds: number;
  /** Time calls waited for the endpoint's limits. */
  waited_seconds: number;
  /** Some answers carried no usage: their tokens were estimated. */
  estimated?: boolean;
  /** `unit`: several benchmarks ran in one process, and these are their figures together. */
  @ApiProperty({ enum: ['benchmark', 'unit'] })
  scope: string;
  /** With scope `unit`: the benchmarks these figures belong to together. */
  shared_with?: string[];
}

@ApiExtraModels(MetricStatisticsDto)
export class BenchmarkResultDto {
  id: string;
  provider_id: string;
  benchmark_index: number;
  metrics?: Record<string, unknown>;
  @ApiProperty({ type: [MetricSchemaDto], required: false })
  metrics_schema?: MetricSchemaDto[];
  additional_info?: Record<string, unknown>;
  artifacts?: Record<string, unknown>;
  mlflow_run_id?: string;
  logs_path?: string;
  /** Where to list this benchmark's files (an EvalHub addition). */
  artifacts_url?: string;
  /** The benchmark's run in the MLflow UI, once recorded (an EvalHub addition). */
  mlflow_run_url?: string;
  test?: BenchmarkTestDto;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { $ref: '#/components/schemas/MetricStatisticsDto' }, description: 'Per metric: standard error, 95% interval and sample count (an EvalHub addition).' })
  statistics?: Record<string, MetricStatisticsDto>;
  /** Why the result has no test although a threshold is set (e.g. the primary metric is missing). */
  warning_message?: MessageInfoDto;
  /** Requests and tokens of the benchmark's model calls through the worker's gateway (an EvalHub addition). */
  usage?: ModelUsageDto;
}

export class JobTestDto {
  /** Weighted mean of the primary scores (lower-is-better scores count as 1 - score). */
  score: number;
  threshold: number;
  pass: boolean;
  @ApiProperty(VERDICT)
  verdict?: string;
  /** Standard error of the weighted score, when every benchmark in it has one. */
  stderr?: number;
  @ApiProperty(CI95)
  ci95?: number[];
}

export class JobResultsDto {
  /** Present once the job completed and at least one benchmark has a test. */
  test?: JobTestDto;
  @ApiProperty({ type: [BenchmarkResultDto], required: false })
  benchmarks?: BenchmarkResultDto[];
  /** Link to the job's experiment in the MLflow UI. */
  mlflow_experiment_url?: string;
}

export class TrackingStatusDto {
  @ApiProperty({ enum: ['pending', 'synced', 'failed'], description: '`pending` until MLflow has the job, then `synced`.' })
  state: string;
  /** Why the last write to MLflow failed, while it is retried. */
  last_error?: string;
}

/** An evaluation job: its identity, status, results and the submitted configuration. */
export class JobResourceDto extends JobSubmissionDto {
  resource: JobResourceMetaDto;
  status: JobStatusDto;
  results: JobResultsDto;
  /** Present when the job has an experiment. */
  tracking?: TrackingStatusDto;
}

export class JobListDto {
  first: HrefDto;
  next?: HrefDto;
  limit: number;
  total_count: number;
  @ApiProperty({ type: [JobResourceDto] })
  items: JobResourceDto[];
}

export { BenchmarkStatusEventDto };

export class ArtifactItemDto {
  /** File name, unique within the benchmark. */
  name: string;
  /** The result keys that name this file (`lm_eval.samples`, `logs`, …). */
  keys: string[];
  /** Size of the file. */
  size_bytes?: number;
  /** Content type it is sent with. */
  media_type: string;
  @ApiProperty({ enum: ['stash', 'worker_disk', 'mlflow'], description: "Where it is served from: the worker's copy in Redis, the worker's disk (same machine), or the benchmark's MLflow run." })
  source: string;
  /** Where to download it. */
  url: string;
}

export class ArtifactListDto {
  /** The benchmark the files belong to. */
  benchmark_index: number;
  @ApiProperty({ type: [ArtifactItemDto], description: 'The files, in the order the result names them.' })
  items: ArtifactItemDto[];
}

export class MetricComparisonDto {
  /** The metric's name. */
  metric: string;
  /** Whether this is the benchmark's primary metric (it decides the outcome). */
  primary: boolean;
  /** Its value in the baseline job. */
  baseline: number;
  /** Its value in the candidate job. */
  candidate: number;
  /** candidate − baseline */
  difference: number;
  @ApiProperty(CI95)
  ci95?: number[];
  /** Two-sided p-value of "no change". */
  p_value?: number;
  @ApiProperty({ enum: ['mcnemar_exact', 'sign_flip_permutation', 'unpaired_z', 'none'], description: 'The test used: paired on shared samples where both runs logged per-sample scores.' })
  test: string;
  /** Samples matched between the two runs (paired tests). */
  n_paired?: number;
  /** A caveat, such as an unpaired fallback. */
  note?: string;
}

export class BenchmarkRefDto {
  provider_id: string;
  id: string;
  benchmark_index: number;
}

export class BenchmarkComparisonDto {
  provider_id: string;
  id: string;
  /** Its benchmark_index in the baseline job. */
  baseline_index: number;
  /** Its benchmark_index in the candidate job. */
  candidate_index: number;
  @ApiProperty({ type: [MetricComparisonDto], description: 'Every metric both runs reported, the primary one first.' })
  metrics: MetricComparisonDto[];
  @ApiProperty({ enum: ['improved', 'regressed', 'no_significant_change', 'not_tested'], description: 'From the primary metric, at α = 0.05 after the Holm correction.' })
  outcome: string;
  /** The primary metric's p-value after the Holm correction. */
  adjusted_p_value?: number;
}

export class ComparisonSummaryDto {
  /** Benchmarks whose primary score got significantly better. */
  improved: number;
  /** Benchmarks whose primary score got significantly worse. */
  regressed: number;
  /** Benchmarks with no significant change. */
  no_significant_change: number;
  /** Benchmarks that could not be tested (no samples, no standard errors). */
  not_tested: number;
  /** The multiple-comparison correction used. */
  correction: string;
  /** The significance level. */
  alpha: number;
}

export class JobRefDto {
  id: string;
  name: string;
}

export class CandidateComparisonDto {
  candidate: JobRefDto;
  @ApiProperty({ type: [BenchmarkComparisonDto], description: 'Benchmarks both jobs ran with the same parameters.' })
  benchmarks: BenchmarkComparisonDto[];
  @ApiProperty({ type: [BenchmarkRefDto], description: 'Benchmarks only the baseline ran (or finished).' })
  only_in_baseline: BenchmarkRefDto[];
  @ApiProperty({ type: [BenchmarkRefDto], description: 'Benchmarks only the candidate ran (or finished).' })
  only_in_candidate: BenchmarkRefDto[];
  summary: ComparisonSummaryDto;
}

export class JobComparisonDto {
  baseline: JobRefDto;
  @ApiProperty({ type: [CandidateComparisonDto], description: 'One comparison per candidate, in the order given.' })
  comparisons: CandidateComparisonDto[];
}
