import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { HrefDto, ResourceDto } from '../../providers/dto/provider.dto';

export class GateBenchmarkDto {
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  provider_id: string;

  @IsString()
  @MinLength(1)
  @MaxLength(512)
  id: string;
}

export class GateRuleDto {
  /** The benchmark the rule is about (its primary score); without it, the job's weighted score. */
  @IsOptional()
  @ValidateNested()
  @Type(() => GateBenchmarkDto)
  benchmark?: GateBenchmarkDto;

  /** The score's whole 95% interval must reach this (GO), or lies wholly below it (NO-GO). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1e9)
  @Max(1e9)
  min_score?: number;

  /** For lower-is-better scores: the interval must stay at or below this. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1e9)
  @Max(1e9)
  max_score?: number;

  /** The largest drop of the score allowed against the baseline job (score units). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e9)
  max_regression?: number;

  /** Baseline of max_regression; default: the latest passing job of the same model name. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  baseline_job_id?: string;
}

/** Body of POST/PUT /gates. */
export class GateConfigDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  description?: string;

  @ApiProperty({ type: [GateRuleDto], description: 'Every rule must say GO for the gate to say GO.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => GateRuleDto)
  rules: GateRuleDto[];
}

export class GateResourceDto extends GateConfigDto {
  resource: ResourceDto;
}

export class GateListDto {
  first: HrefDto;
  next?: HrefDto;
  limit: number;
  total_count: number;
  items: GateResourceDto[];
}

export class RuleOutcomeDto {
  rule: GateRuleDto;
  @ApiProperty({ enum: ['GO', 'NO-GO', 'INCONCLUSIVE'], description: 'What this rule says.' })
  decision: string;
  /** Why, with the numbers. */
  reason: string;
}

export class GateRefDto {
  id: string;
  name: string;
}

export class GateJobRefDto {
  id: string;
  name: string;
  /** The model name the job evaluated. */
  model: string;
}

export class GateEvaluationDto {
  gate: GateRefDto;
  job: GateJobRefDto;
  @ApiProperty({ enum: ['GO', 'NO-GO', 'INCONCLUSIVE'], description: 'NO-GO when any rule is; INCONCLUSIVE when any rule cannot tell; GO otherwise.' })
  decision: string;
  @ApiProperty({ type: [RuleOutcomeDto], description: 'Each rule with its decision and reason.' })
  rules: RuleOutcomeDto[];
}
