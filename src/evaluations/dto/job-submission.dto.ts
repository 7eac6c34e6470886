import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  Max,
  Min,
  IsInt,
  IsBoolean,
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateNested, MinLength } from 'class-validator';
import { BenchmarkConfigDto, PassCriteriaDto, tagRule } from '../../common/common.dto';
import { RISK_CATEGORIES } from '../../domain/types';

export class ModelAuthDto {
  /** Name of the Secret (or file:// reference) that holds the model API key. */
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(1024)
  secret_ref: string;
}

/** The model under evaluation: an OpenAI-compatible endpoint. */
export class ModelRefDto {
  /** Base URL of the endpoint, e.g. http://vllm:8000/v1. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  url?: string;

  /** Model name the endpoint serves. */
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(512)
  name: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => ModelAuthDto)
  auth?: ModelAuthDto;

  /** Backend-specific model settings, e.g. {"api": "chat"} for the lm-eval executor. */
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  card_url?: string;
}

/** A collection to run, optionally with per-provider or per-benchmark overrides. */
export class CollectionRefDto {
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(256)
  id: string;

  /** Overrides merged into the collection's benchmarks (not a subset selector). */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => BenchmarkConfigDto)
  @ArrayMaxSize(5000)
  benchmarks?: BenchmarkConfigDto[];
}

export class ExperimentTagDto {
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(250)
  key: string;

  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(5000)
  value: string;
}

/** MLflow experiment that records the job. */
export class ExperimentRefDto {
  /** Experiment name; created if it does not exist. */
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(500)
  name: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ExperimentTagDto)
  tags?: ExperimentTagDto[];

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  artifact_location?: string;
}

/** Automatic retries of benchmarks that failed for a transient reason (model endpoint away, worker lost). */
export class AutoRetryDto {
  /** How many times at most (0 = never; default AUTO_RETRY_ATTEMPTS of the deployment). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(5)
  max_attempts?: number;

  /** Wait before the first retry; it doubles for each next one (default AUTO_RETRY_BACKOFF_SECONDS). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86400)
  backoff_seconds?: number;
}

/** Body of POST /evaluations/jobs: exactly one of benchmarks, collection or risk_category. */
export class JobSubmissionDto {
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(512)
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(8192)
  description?: string;

  @IsOptional()
  @IsArray()
  @tagRule()
  @ArrayMaxSize(50)
  tags?: string[];

  @IsDefined()
  @ValidateNested()
  @Type(() => ModelRefDto)
  model: ModelRefDto;

  /** Threshold for the job's weighted score (default: the collection's, else 0.5). */
  @IsOptional()
  @ValidateNested()
  @Type(() => PassCriteriaDto)
  pass_criteria?: PassCriteriaDto;

  /** Benchmarks to run; their position is their benchmark_index. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => BenchmarkConfigDto)
  @ArrayMaxSize(5000)
  benchmarks?: BenchmarkConfigDto[];

  @IsOptional()
  @ValidateNested()
  @Type(() => CollectionRefDto)
  collection?: CollectionRefDto;

  /**
   * Legacy shortcut that expands to lm-eval benchmarks: low = hellaswag, arc_easy (5-shot, 100
   * examples); medium adds arc_challenge, winogrande (500); high adds mmlu (1000); critical adds
   * gsm8k (all examples).
   */
  @IsOptional()
  @IsIn(RISK_CATEGORIES as unknown as string[])
  risk_category?: (typeof RISK_CATEGORIES)[number];

  @IsOptional()
  @ValidateNested()
  @Type(() => ExperimentRefDto)
  experiment?: ExperimentRefDto;

  /**
   * When workers are busy: high-priority jobs start before normal ones, normal before low (an
   * EvalHub addition; default normal). Within a class, tenants take turns.
   */
  @IsOptional()
  @IsIn(['low', 'normal', 'high'])
  priority?: 'low' | 'normal' | 'high';

  /**
   * Identical model calls answered from the worker's cache (an EvalHub addition): `true` (default)
   * for deterministic calls (temperature 0, a fixed seed, log-likelihood), `false` for none,
   * `"all"` for every call. Performance benchmarks (GuideLLM) never use it.
   */
  /**
   * Take over the result of an equal completed benchmark of your tenant (same model URL, name and
   * parameters, provider, benchmark, parameters and test data) from the last REUSE_MAX_AGE_HOURS
   * instead of running it, marked with `additional_info.reused_from` (an EvalHub addition).
   */
  @IsOptional()
  @IsBoolean()
  reuse?: boolean;

  /** Retries of benchmarks that failed for a transient reason, with backoff (an EvalHub addition). */
  @IsOptional()
  @ValidateNested()
  @Type(() => AutoRetryDto)
  auto_retry?: AutoRetryDto;

  @IsOptional()
  @IsIn([true, false, 'all'])
  @ApiProperty({
    required: false,
    oneOf: [{ type: 'boolean' }, { type: 'string', enum: ['all'] }],
    description: 'The response cache: true (default) for deterministic calls, false for none, "all" for every call (an EvalHub addition).',
  })
  cache?: boolean | 'all';

  @IsOptional()
  @IsObject()
  custom?: Record<string, unknown>;

  /** Where to push the evaluation card (OCI). */
  @IsOptional()
  @IsObject()
  exports?: Record<string, unknown>;

  @IsOptional()
  @IsObject()
  hardware_config?: Record<string, unknown>;

  /** Deprecated Kueue queue reference. */
  @IsOptional()
  @IsObject()
  queue?: Record<string, unknown>;
}
