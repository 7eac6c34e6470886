import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Min,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';

/** Tags are 1..128 characters and never contain ',' or '|' (they are filter operators). */
export const TAG_PATTERN = /^[^,|]{1,128}$/;

export class PrimaryScoreDto {
  /** Metric name that decides pass/fail, e.g. acc_norm. */
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(256)
  metric: string;

  /** True when smaller values are better (e.g. attack_success_rate). */
  @IsOptional()
  @IsBoolean()
  lower_is_better?: boolean;
}

export class PassCriteriaDto {
  /** The primary score (or weighted job score) must reach this value to pass. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  threshold: number;
}

/** One benchmark to run: a provider's benchmark id plus optional scoring and parameters. */
export class BenchmarkConfigDto {
  /** Benchmark id within the provider, e.g. arc_easy. */
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(256)
  id: string;

  /** Provider that runs the benchmark, e.g. lm_evaluation_harness. */
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(256)
  provider_id: string;

  /** Weight in the job's weighted score (0 or unset counts as 1). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  weight?: number;

  /** Overrides the provider's primary score for this benchmark. */
  @IsOptional()
  @ValidateNested()
  @Type(() => PrimaryScoreDto)
  primary_score?: PrimaryScoreDto;

  /** Overrides the provider's pass threshold for this benchmark. */
  @IsOptional()
  @ValidateNested()
  @Type(() => PassCriteriaDto)
  pass_criteria?: PassCriteriaDto;

  /** Backend parameters; num_examples limits the sample count, num_few_shot sets few-shot examples. */
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  /** Where the benchmark's test data comes from (s3, pvc or git). */
  @IsOptional()
  @IsObject()
  test_data_ref?: Record<string, unknown>;

  /** Hardware profile or inline cpu/memory/gpu for Kubernetes runs. */
  @IsOptional()
  @IsObject()
  hardware_config?: Record<string, unknown>;
}

export class NameValueDto {
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(512)
  name: string;

  @IsString()
  value: string;
}

export const tagRule = () => Matches(TAG_PATTERN, { each: true, message: "each tag must be 1-128 characters without ',' or '|'" });
