// Wire and storage shapes of the EvalHub v1 API. Field names are the contract's (snake_case).

export const JOB_STATES = ['pending', 'running', 'completed', 'failed', 'cancelled', 'partially_failed'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const TERMINAL_JOB_STATES: readonly JobState[] = ['completed', 'failed', 'cancelled', 'partially_failed'];

export const BENCHMARK_STATES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type BenchmarkState = (typeof BENCHMARK_STATES)[number];
/** States an adapter may report through /events (cancelled is the server's own). */
export const EVENT_STATES = ['pending', 'running', 'completed', 'failed'] as const;

export const JOB_PHASES = [
  'initializing',
  'loading_data',
  'running_evaluation',
  'post_processing',
  'persisting_artifacts',
  'completed',
] as const;
export type JobPhase = (typeof JOB_PHASES)[number];

export const MESSAGE_ORIGINS = ['server', 'runtime', 'adapter', 'sdk'] as const;
export type MessageOrigin = (typeof MESSAGE_ORIGINS)[number];

export const RESULT_TYPES = ['numeric', 'categorical', 'array_ordered', 'array_unordered', 'time_series'] as const;

export const RISK_CATEGORIES = ['low', 'medium', 'high', 'critical'] as const;
export type RiskCategory = (typeof RISK_CATEGORIES)[number];

export interface MessageInfo {
  message: string;
  message_code: string;
  message_origin?: MessageOrigin;
}

export interface Resource {
  id: string;
  tenant?: string;
  owner?: string;
  created_at?: string;
  updated_at?: string;
  mlflow_experiment_id?: string;
}

export interface PrimaryScore {
  metric: string;
  lower_is_better?: boolean;
}

export interface PassCriteria {
  threshold: number;
}

export type Json = Record<string, unknown>;

export interface BenchmarkConfig {
  id: string;
  provider_id: string;
  weight?: number;
  primary_score?: PrimaryScore;
  pass_criteria?: PassCriteria;
  parameters?: Json;
  test_data_ref?: Json;
  hardware_config?: Json;
}

export interface ModelRef {
  url?: string;
  name: string;
  auth?: { secret_ref: string };
  parameters?: Json;
  card_url?: string;
}

export interface ExperimentRef {
  name: string;
  tags?: { key: string; value: string }[];
  artifact_location?: string;
}

export interface JobConfig {
  name: string;
  description?: string;
  tags?: string[];
  model: ModelRef;
  pass_criteria?: PassCriteria;
  benchmarks?: BenchmarkConfig[];
  collection?: { id: string; benchmarks?: BenchmarkConfig[] };
  risk_category?: RiskCategory;
  experiment?: ExperimentRef;
  custom?: Json;
  exports?: Json;
  hardware_config?: Json;
  queue?: Json;
  /** Scheduling class (domain/scheduling): high before normal before low; default normal. */
  priority?: 'low' | 'normal' | 'high';
  /** The gateway's response cache: deterministic calls (default), none (false), or every call ('all'). */
  cache?: boolean | 'all';
  /** Take over equal completed benchmarks of the tenant instead of running them (domain/result-reuse). */
  reuse?: boolean;
  /** Automatic retries of benchmarks that failed for a transient reason (domain/job-retry). */
  auto_retry?: { max_attempts?: number; backoff_seconds?: number };
}

export interface BenchmarkStatus {
  provider_id: string;
  id: string;
  benchmark_index: number;
  status: BenchmarkState;
  phase?: JobPhase;
  /** Share done, 0 to 1, where the backend's output allows (EvalHub's own executors only). */
  progress?: number;
  /** What `progress` counts: samples, requests, probes or rows done of the total. */
  completed_count?: number;
  total_count?: number;
  count_unit?: CountUnit;
  /** Seconds left at the rate seen so far in this run. */
  eta_seconds?: number;
  /** A pending benchmark's place in its queue (1 = next to start). */
  queue_position?: number;
  queue_eta_seconds?: number;
  error_message?: MessageInfo;
  warning_message?: MessageInfo;
  started_at?: string;
  completed_at?: string;
}

export interface BenchmarkTest {
  primary_score: number;
  primary_score_metric: string;
  threshold: number;
  pass: boolean;
  /** pass / fail when the primary score's 95% interval is wholly on one side, else inconclusive. */
  verdict?: Verdict;
  ci95?: [number, number];
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** A metric's uncertainty (see domain/uncertainty). */
export interface MetricStatistics {
  n?: number;
  stderr: number;
  ci95: [number, number];
  method: 'backend_stderr' | 'bootstrap';
}

export interface MetricSchema {
  name: string;
  type: string;
}

/** What a benchmark's model calls cost, as the worker's model gateway counted them. */
export interface ModelUsage {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Calls that failed for good (after the gateway's retries). */
  errors: number;
  /** Extra attempts the gateway made for transient failures. */
  retries: number;
  /** Calls answered from the response cache (no model call). */
  cached: number;
  /** From the first call to the last answer, and the model's own time summed over calls. */
  wall_seconds: number;
  model_seconds: number;
  /** Time calls waited for the endpoint's limits. */
  waited_seconds: number;
  /** Some answers gave no usage: their tokens were estimated. */
  estimated?: boolean;
  /** `unit` when several benchmarks ran in one process: the figures are theirs together. */
  scope: 'benchmark' | 'unit';
  shared_with?: string[];
}

export interface BenchmarkResult {
  id: string;
  provider_id: string;
  benchmark_index: number;
  metrics?: Record<string, unknown>;
  metrics_schema?: MetricSchema[];
  additional_info?: Json;
  artifacts?: Json;
  mlflow_run_id?: string;
  logs_path?: string;
  test?: BenchmarkTest;
  /** Standard error and 95% interval per metric, where the backend or the samples allow. */
  statistics?: Record<string, MetricStatistics>;
  /** Why the result has no test although a threshold is set (e.g. the primary metric is missing). */
  warning_message?: MessageInfo;
  /** Requests and tokens through the model gateway (EvalHub's own executors and local adapters). */
  usage?: ModelUsage;
}

export interface JobTest {
  score: number;
  threshold: number;
  pass: boolean;
  /** From the weighted score's interval, when every benchmark in it has one. */
  verdict?: Verdict;
  stderr?: number;
  ci95?: [number, number];
}

export interface JobStatus {
  state: JobState;
  message: MessageInfo | null;
  benchmarks: BenchmarkStatus[];
  /** Overall percent done (0–100) over every benchmark of the job; derived on read. */
  percent?: number;
}

export type CountUnit = 'samples' | 'requests' | 'probes' | 'rows';

export interface JobResults {
  test?: JobTest;
  benchmarks?: BenchmarkResult[];
  mlflow_experiment_url?: string;
}

/**
 * One benchmark of a job after expansion (benchmarks list, collection with overrides, or risk
 * category). Its position in `JobRecord.benchmarks` is its benchmark_index. Provider-level scoring
 * defaults are copied in at submit so scoring never depends on a provider that changed later.
 */
export interface ResolvedBenchmark extends BenchmarkConfig {
  provider_primary_score?: PrimaryScore;
  provider_pass_criteria?: PassCriteria;
}

/** What MLflow tracking still owes for a job (issue: nothing lost while MLflow is down). */
export interface TrackingState {
  state: 'pending' | 'synced' | 'failed';
  last_error?: string;
  job_run_id?: string;
  benchmark_runs?: Record<string, string>;
}

/** The stored job: the request as accepted plus everything the server derived. */
export interface JobRecord {
  resource: Resource;
  config: JobConfig;
  benchmarks: ResolvedBenchmark[];
  /** pass_criteria.threshold of the collection the job was expanded from, if any. */
  collection_threshold?: number;
  status: JobStatus;
  results: JobResults;
  /** How the benchmarks are split into worker units (set at submit, see run-plan.ts). */
  runs?: { key: string; executor: string; indexes: number[]; attempt?: number }[];
  /** How often the job's failed benchmarks were run again (POST /jobs/{id}/retry); none = 0. */
  retry_attempt?: number;
  tracking?: TrackingState;
}

export interface BenchmarkStatusEvent {
  provider_id: string;
  id: string;
  benchmark_index: number;
  status: BenchmarkState;
  phase?: JobPhase;
  progress?: number;
  completed_count?: number;
  total_count?: number;
  count_unit?: CountUnit;
  eta_seconds?: number;
  error_message?: MessageInfo;
  warning_message?: MessageInfo;
  started_at?: string;
  completed_at?: string;
  metrics?: Record<string, unknown>;
  metrics_schema?: MetricSchema[];
  additional_info?: Json;
  artifacts?: Json;
  mlflow_run_id?: string;
  logs_path?: string;
  /** From EvalHub's own executors, computed over the run's per-sample scores. */
  statistics?: Record<string, MetricStatistics>;
  /** From the worker's model gateway (never taken from an adapter's callback). */
  usage?: ModelUsage;
}

export interface ProviderBenchmark {
  id: string;
  name: string;
  url?: string;
  description?: string;
  category: string;
  metrics?: string[];
  num_few_shot: number;
  dataset_size: number;
  tags?: string[];
  primary_score?: PrimaryScore;
  pass_criteria?: PassCriteria;
  agent?: Json;
}

export interface LocalRuntime {
  /** Shell command that runs an EvalHub adapter (reads EVALHUB_JOB_SPEC_PATH). */
  command?: string;
  env?: { name: string; value: string }[];
  /** Name of a built-in executor (e.g. lm_evaluation_harness) instead of a command. */
  executor?: string;
  /** For the lm-eval executor: a folder of task YAMLs that extends the task index. */
  include_path?: string;
}

export interface ProviderRuntime {
  k8s?: Json;
  local?: LocalRuntime;
  /** A remote NeMo Evaluator container (domain/nemo-evaluator-settings). */
  nemo_evaluator?: Json;
  /** Runs as Kubeflow Pipelines runs (domain/kfp-settings). */
  kubeflow_pipelines?: Json;
}

export interface ProviderRecord {
  resource: Resource;
  name: string;
  title: string;
  description?: string;
  tags?: string[];
  benchmarks: ProviderBenchmark[];
  runtime?: ProviderRuntime;
  agent?: Json;
}

export interface CollectionBenchmark extends BenchmarkConfig {
  url?: string;
}

export interface CollectionRecord {
  resource: Resource;
  name: string;
  description?: string;
  category: string;
  tags?: string[];
  custom?: Json;
  pass_criteria?: PassCriteria;
  benchmarks: CollectionBenchmark[];
  agent?: Json;
}

export const SYSTEM_OWNER = 'system';
