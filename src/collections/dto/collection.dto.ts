import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateNested, ArrayMaxSize } from 'class-validator';
import { BenchmarkConfigDto, PassCriteriaDto, tagRule } from '../../common/common.dto';
import { HrefDto, ResourceDto } from '../../providers/dto/provider.dto';

/** A benchmark inside a collection, with its weight in the collection score. */
export class CollectionBenchmarkDto extends BenchmarkConfigDto {
  /** Documentation link, copied from the provider's benchmark. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;
}

/** Body of POST/PUT /collections. */
export class CollectionConfigDto {
  @IsString()
  @IsNotEmpty()
  @MinLength(1)
  @MaxLength(512)
  name: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  description?: string;

  /** Collection category, e.g. reasoning, safety. */
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  category: string;

  @IsOptional()
  @IsArray()
  @tagRule()
  @ArrayMaxSize(50)
  tags?: string[];

  /** Free-form metadata. */
  @IsOptional()
  @IsObject()
  custom?: Record<string, unknown>;

  /** Threshold for the weighted collection score (default 0.5). */
  @IsOptional()
  @ValidateNested()
  @Type(() => PassCriteriaDto)
  pass_criteria?: PassCriteriaDto;

  /** At least one benchmark. */
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => CollectionBenchmarkDto)
  @ArrayMaxSize(5000)
  benchmarks: CollectionBenchmarkDto[];

  @IsOptional()
  @IsObject()
  agent?: Record<string, unknown>;
}

export class CollectionResourceDto extends CollectionConfigDto {
  resource: ResourceDto;
}

export class CollectionListDto {
  first: HrefDto;
  next?: HrefDto;
  limit: number;
  total_count: number;
  items: CollectionResourceDto[];
}
