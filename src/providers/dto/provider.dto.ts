import { Type } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import {
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  ArrayMaxSize,
} from 'class-validator';
import { NameValueDto, PassCriteriaDto, PrimaryScoreDto, tagRule } from '../../common/common.dto';

/** What a provider evaluates, as upstream's AgentMetadata. */
export const AGENT_TARGET_TYPES = ['model', 'agent', 'inference_server'] as const;

/** Provider metadata that agents and MCP tools use to choose a provider. */
export class AgentMetadataDto {
  /** Capability tags the provider measures, e.g. accuracy, safety. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  evaluates?: string[];

  /** Situations in which an agent should pick this provider. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  recommended_when?: string[];

  /** What kind of target the provider evaluates. */
  @IsOptional()
  @IsIn(AGENT_TARGET_TYPES as unknown as string[], { message: '$property must be one of: model, agent, inference_server' })
  target_type?: (typeof AGENT_TARGET_TYPES)[number];

  /** One-line description for tool listings (at most 200 characters). */
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: '$property must be at most 200 characters' })
  summary?: string;

  /** Ids of providers that pair well with this one. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  complements?: string[];

  /** Advice for building job requests for this provider. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  hints?: string[];

  /** How to read this provider's results. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  result_interpretation?: string[];
}

/** A score band and what it means. */
export class ScoreRangeDto {
  /** The band, e.g. "0.0-0.25", "0.25" or "0.25+". */
  @IsString()
  @IsNotEmpty()
  range: string;

  /** What a score in the band says about the model. */
  @IsString()
  @IsNotEmpty()
  meaning: string;
}

/** Benchmark-level guidance for agents (overrides the provider's). */
export class BenchmarkAgentMetadataDto {
  /** How to read this benchmark's primary score. */
  @IsOptional()
  @IsString()
  result_interpretation?: string;

  /** Score bands with their meaning. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ScoreRangeDto)
  score_ranges?: ScoreRangeDto[];
}

/** A benchmark a provider offers. */
export class ProviderBenchmarkDto {
  /** Id used in jobs, unique within the provider. */
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(256)
  id: string;

  /** Human-readable name. */
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(512)
  name: string;

  /** Link to the benchmark's documentation. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  description?: string;

  /** Category used by filters, e.g. reasoning, math, safety. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  category?: string;

  /** Metrics the benchmark reports. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @ArrayMaxSize(1000)
  metrics?: string[];

  /** Default number of few-shot examples. */
  @IsOptional()
  @IsInt()
  @Min(0)
  num_few_shot?: number;

  /** Number of examples in the evaluation split. */
  @IsOptional()
  @IsInt()
  @Min(0)
  dataset_size?: number;

  @IsOptional()
  @IsArray()
  @tagRule()
  @ArrayMaxSize(50)
  tags?: string[];

  @IsOptional()
  @ValidateNested()
  @Type(() => PrimaryScoreDto)
  primary_score?: PrimaryScoreDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => PassCriteriaDto)
  pass_criteria?: PassCriteriaDto;

  /** Hints for agents that pick benchmarks (result interpretation, score ranges). */
  @IsOptional()
  @ValidateNested()
  @Type(() => BenchmarkAgentMetadataDto)
  agent?: BenchmarkAgentMetadataDto;
}

/** How a provider runs on one machine. */
export class LocalRuntimeDto {
  /** Shell command that starts an EvalHub adapter; it reads its JobSpec from EVALHUB_JOB_SPEC_PATH. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(4096)
  command?: string;

  /** Extra environment for the command. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => NameValueDto)
  @ArrayMaxSize(200)
  env?: NameValueDto[];

  /** A built-in executor instead of a command: `lm_evaluation_harness`. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  executor?: string;

  /** With the lm_evaluation_harness executor: absolute path of a folder of lm-eval task YAMLs. */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  include_path?: string;
}

export class ProviderRuntimeDto {
  /** Kubernetes Job runtime: image, entrypoint, resources, env. */
  @IsOptional()
  @IsObject()
  k8s?: Record<string, unknown>;

  @IsOptional()
  @ValidateNested()
  @Type(() => LocalRuntimeDto)
  local?: LocalRuntimeDto;

  /**
   * A remote NeMo Evaluator container (EvalHub's evaluator server): endpoint (host, host:port or a
   * list), port (3825), model_endpoint, endpoint_type, api_key_env, timeout_seconds, max_retries,
   * verify_ssl, auth_token or auth_token_secret_ref, health_check_endpoint, run_post_hooks,
   * framework_name, command, eval_type and the evaluation parameters; benchmarks override any of
   * them in their parameters. Used in local and Kubernetes mode alike.
   */
  @IsOptional()
  @IsObject()
  nemo_evaluator?: Record<string, unknown>;

  /**
   * Runs each benchmark as a Kubeflow Pipelines v2 run: framework (lighteval or garak) and
   * kfp_endpoint are required; namespace, experiment, image and command (EvalHub's adapter image
   * unless given), env, auth_token or auth_token_secret_ref, ca_bundle_path, verify_ssl,
   * poll_interval_seconds, timeout_seconds, callback_url, service_account are optional. A job's
   * benchmark can ask for the same with parameters.backend = {"type": "kubeflow-pipelines", …}.
   */
  @IsOptional()
  @IsObject()
  kubeflow_pipelines?: Record<string, unknown>;
}

/** Body of POST/PUT /providers. */
export class ProviderConfigDto {
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(512)
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  title?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  description?: string;

  @IsOptional()
  @IsArray()
  @tagRule()
  @ArrayMaxSize(50)
  tags?: string[];

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ProviderBenchmarkDto)
  @ArrayMaxSize(5000)
  benchmarks?: ProviderBenchmarkDto[];

  @IsOptional()
  @ValidateNested()
  @Type(() => ProviderRuntimeDto)
  runtime?: ProviderRuntimeDto;

  /** Metadata for agents that choose providers: target_type, evaluates, summary, hints. */
  @IsOptional()
  @ValidateNested()
  @Type(() => AgentMetadataDto)
  agent?: AgentMetadataDto;
}

export class ResourceDto {
  id: string;
  tenant?: string;
  owner?: string;
  created_at?: string;
  updated_at?: string;
}

/** A provider as the API returns it. */
/** Whether this deployment can run the provider (an EvalHub addition, read-only). */
export class ProviderAvailabilityDto {
  /** false: a job naming one of its benchmarks is refused at submit with `reason`. */
  runnable: boolean;
  @ApiProperty({ enum: ['local', 'kubernetes'], description: 'The runtime this deployment uses (EVALHUB_RUNTIME).' })
  runtime: string;
  /** How its benchmarks run: a native executor (guidellm, garak, …), local-process or kubernetes. */
  executor?: string;
  /** Why it cannot run, and the fix (e.g. the setup command that installs its environment). */
  reason?: string;
}

export class ProviderResourceDto extends ProviderConfigDto {
  resource: ResourceDto;
  declare title: string;
  declare benchmarks: ProviderBenchmarkDto[];
  @ApiProperty({ type: ProviderAvailabilityDto, readOnly: true, required: false })
  availability?: ProviderAvailabilityDto;
}

export class HrefDto {
  href: string;
}

export class ProviderListDto {
  first: HrefDto;
  next?: HrefDto;
  limit: number;
  total_count: number;
  items: ProviderResourceDto[];
}

