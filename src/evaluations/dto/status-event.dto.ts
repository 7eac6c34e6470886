import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsDefined, IsIn, IsInt, IsISO8601, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, Max, Min, ValidateNested, MinLength } from 'class-validator';
import { EVENT_STATES, JOB_PHASES, MESSAGE_ORIGINS, RESULT_TYPES } from '../../domain/types';

export class MessageInfoDto {
  @IsString()
  message: string;

  @IsString()
  message_code: string;

  @IsOptional()
  @IsIn(MESSAGE_ORIGINS as unknown as string[])
  message_origin?: (typeof MESSAGE_ORIGINS)[number];
}

export class MetricSchemaDto {
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  name: string;

  @IsOptional()
  @IsIn(RESULT_TYPES as unknown as string[])
  type: string = 'numeric';
}

/** What an adapter reports about one benchmark of a job. */
export class BenchmarkStatusEventDto {
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  provider_id: string;

  /** Benchmark id. */
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  id: string;

  @IsInt()
  @Min(0)
  benchmark_index: number = 0;

  @IsIn(EVENT_STATES as unknown as string[])
  status: (typeof EVENT_STATES)[number];

  @IsOptional()
  @IsIn(JOB_PHASES as unknown as string[])
  phase?: (typeof JOB_PHASES)[number];

  /** Share done, 0 to 1, while running (an EvalHub addition: adapters' progress bars). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  progress?: number;

  /** Items evaluated so far (an EvalHub addition). */
  @IsOptional()
  @IsInt()
  @Min(0)
  completed_count?: number;

  /** Items in all (an EvalHub addition). */
  @IsOptional()
  @IsInt()
  @Min(0)
  total_count?: number;

  /** What the counts count. */
  @IsOptional()
  @IsIn(['samples', 'requests', 'probes', 'rows'])
  count_unit?: 'samples' | 'requests' | 'probes' | 'rows';

  /** Seconds left, as the adapter estimates them. */
  @IsOptional()
  @IsInt()
  @Min(0)
  eta_seconds?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => MessageInfoDto)
  error_message?: MessageInfoDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => MessageInfoDto)
  warning_message?: MessageInfoDto;

  @IsOptional()
  @IsISO8601({ strict: true })
  @ApiProperty({ required: false, format: 'date-time' })
  started_at?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  @ApiProperty({ required: false, format: 'date-time' })
  completed_at?: string;

  /** Metric name → value (number, string, bool or list). */
  @IsOptional()
  @IsObject()
  metrics?: Record<string, unknown>;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => MetricSchemaDto)
  metrics_schema?: MetricSchemaDto[];

  @IsOptional()
  @IsObject()
  additional_info?: Record<string, unknown>;

  @IsOptional()
  @IsObject()
  artifacts?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  mlflow_run_id?: string;

  @IsOptional()
  @IsString()
  logs_path?: string;
}

/** Body of POST /evaluations/jobs/{id}/events (sent by adapters through the SDK). */
export class StatusEventDto {
  @IsDefined()
  @ValidateNested()
  @Type(() => BenchmarkStatusEventDto)
  benchmark_status_event: BenchmarkStatusEventDto;

  /** Set by the sidecar for git test data; stripped before the event is stored. */
  @IsOptional()
  @IsObject()
  job_meta?: Record<string, unknown>;
}
