import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * Descriptions for the API document, in one place. Fields that recur across schemas (id, name,
 * tags, timestamps, paging) are described once here instead of on every DTO; a DTO's own comment
 * wins where it has one.
 */
const SCHEMAS: Record<string, string> = {
  ErrorDto: 'Body of every error answer.',
  HrefDto: 'A link.',
  ResourceDto: 'Identity and bookkeeping of a stored resource.',
  PrimaryScoreDto: 'The metric a benchmark is judged by.',
  PassCriteriaDto: 'What a score must reach to pass.',
  ProviderBenchmarkDto: 'A benchmark offered by a provider.',
  AgentMetadataDto: 'Provider metadata that agents and MCP tools use to choose a provider.',
  ScoreRangeDto: 'A score band and what it means.',
  BenchmarkAgentMetadataDto: 'Benchmark-level guidance for agents.',
  NameValueDto: 'An environment variable.',
  LocalRuntimeDto: 'How the provider runs on one machine (local runtime).',
  ProviderRuntimeDto: 'How the provider runs: locally and/or as Kubernetes Jobs.',
  ProviderResourceDto: 'A provider as stored: an evaluation framework and its benchmarks.',
  ProviderAvailabilityDto: 'Whether this deployment can run the provider now, and if not why (an EvalHub addition).',
  ProviderListDto: 'A page of providers.',
  ProviderConfigDto: 'A provider definition (create / replace).',
  CollectionBenchmarkDto: 'A benchmark of a collection, with its weight in the collection score.',
  CollectionResourceDto: 'A collection as stored: benchmarks scored together by weight.',
  CollectionListDto: 'A page of collections.',
  CollectionConfigDto: 'A collection definition (create / replace).',
  ModelAuthDto: 'Where the model API key comes from.',
  ModelRefDto: 'The model under evaluation.',
  BenchmarkConfigDto: 'A benchmark to run, with optional scoring overrides and parameters.',
  CollectionRefDto: 'A collection to run, with optional overrides.',
  ExperimentTagDto: 'An MLflow experiment tag.',
  ExperimentRefDto: 'The MLflow experiment that records the job.',
  JobSubmissionDto: 'An evaluation job request.',
  JobResourceMetaDto: 'Identity and bookkeeping of a job.',
  MessageInfoDto: 'A status message with a stable code.',
  BenchmarkStatusDto: 'Where one benchmark of a job stands.',
  JobStatusDto: 'Where a job stands overall and per benchmark.',
  MetricSchemaDto: 'The declared type of a metric.',
  BenchmarkTestDto: "A benchmark's pass/fail against its threshold.",
  BenchmarkResultDto: 'The outcome of one finished benchmark.',
  MetricStatisticsDto: 'How sure a metric value is: its standard error and 95% interval (an EvalHub addition).',
  ArtifactItemDto: 'One file of a benchmark, with where to download it (an EvalHub addition).',
  ArtifactListDto: 'The files of one benchmark that can be downloaded now (an EvalHub addition).',
  TrackingStatusDto: 'Whether the job has been written to MLflow yet (an EvalHub addition).',
  JobTestDto: 'The weighted pass/fail of a completed job.',
  JobResultsDto: 'Results of a job.',
  JobResourceDto: 'An evaluation job.',
  JobListDto: 'A page of evaluation jobs.',
  BenchmarkStatusEventDto: 'A status report about one benchmark of a job.',
  StatusEventDto: 'An adapter callback.',
  HealthDto: 'Service health.',
};

const FIELDS: Record<string, string> = {
  id: 'Identifier.',
  name: 'Human-readable name.',
  title: 'Display title.',
  description: 'Free-text description (1-1024 characters).',
  tags: "Tags (1-128 characters each, no ',' or '|'); filter lists with ?tags=.",
  created_at: 'When it was created (RFC 3339).',
  updated_at: 'When it last changed (RFC 3339).',
  tenant: 'Tenant (Kubernetes namespace) it belongs to; absent for system resources.',
  owner: "Who created it; 'system' for built-in resources.",
  href: 'URL of the page.',
  limit: 'Page size used (0 = no limit).',
  total_count: 'Number of items matching the filters, over all pages.',
  items: 'The items of this page.',
  benchmarks: 'Benchmarks, in order (position = benchmark index).',
  agent: 'Hints for agents that pick evaluations (target type, what it evaluates, interpretation).',
  custom: 'Free-form metadata, stored as given.',
  hardware_config: 'Hardware profile or inline cpu/memory/gpu for Kubernetes runs.',
  card_url: 'Link to the model card.',
  artifact_location: 'Artifact root of the MLflow experiment.',
  key: 'Tag key.',
  value: 'Value.',
  message: 'Human-readable message.',
  message_code: 'Stable machine-readable code.',
  message_origin: 'Who produced the message: server, runtime, adapter or sdk.',
  status: 'Benchmark state: pending, running, completed, failed or cancelled.',
  state: 'Overall job state.',
  phase: 'Step within the run: initializing, loading_data, running_evaluation, post_processing, persisting_artifacts, completed.',
  benchmark_index: 'Position of the benchmark in the job (0-based).',
  provider_id: 'Provider that runs the benchmark.',
  started_at: 'When the benchmark started (RFC 3339).',
  completed_at: 'When the benchmark finished (RFC 3339).',
  metrics: 'Metric name → value.',
  metrics_schema: 'Declared metric types; metrics without an entry are numeric.',
  additional_info: 'Extra information from the adapter.',
  artifacts: 'Artifacts of the run (files, OCI references, cards).',
  mlflow_run_id: 'MLflow run that holds this benchmark.',
  logs_path: 'Where the run log is kept.',
  primary_score: 'Value of the primary metric.',
  primary_score_metric: 'Name of the primary metric.',
  threshold: 'Pass threshold.',
  pass: 'Whether the threshold was met.',
  type: 'Result type: numeric, categorical, array_ordered, array_unordered or time_series.',
};

/** Fills every schema and property description the DTOs left out. */
export function describeDocument(doc: OpenAPIObject): OpenAPIObject {
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    const s = schema as { description?: string; properties?: Record<string, { description?: string; $ref?: string; allOf?: unknown }> };
    if (!s.description && SCHEMAS[name]) s.description = SCHEMAS[name];
    for (const [prop, def] of Object.entries(s.properties ?? {})) {
      if (!def.description && !def.$ref && !def.allOf && FIELDS[prop]) def.description = FIELDS[prop];
    }
  }
  return doc;
}
