import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { ScanErrorCode } from '../scan-errors';

export const DIGEST_PATTERN = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export enum ScanTrigger {
  Api = 'api',
  ManifestCached = 'manifest_cached',
  ManifestComplete = 'manifest_complete',
  Schedule = 'schedule',
  Bulk = 'bulk',
  VulnDbUpdate = 'vulndb_update',
}

export enum ScanJobKind {
  Scan = 'scan',
  Rematch = 'rematch',
}

export class PlatformDto {
  @IsString()
  @MaxLength(50)
  os!: string;

  @IsString()
  @MaxLength(50)
  architecture!: string;

  @IsOptional()
  @IsString()
  @MaxLength(50)
  variant?: string;
}

export class LayerDto {
  @Matches(DIGEST_PATTERN)
  digest!: string;

  @IsInt()
  @Min(0)
  size!: number;

  @IsString()
  @MaxLength(255)
  mediaType!: string;
}

export class ScanErrorDto {
  @IsEnum(ScanErrorCode)
  code!: ScanErrorCode;

  @IsString()
  @MaxLength(4000)
  message!: string;
}

export class ResolvedImageDto {
  @Matches(DIGEST_PATTERN)
  manifestDigest!: string;

  @IsString()
  @MaxLength(255)
  mediaType!: string;

  @ValidateNested()
  @Type(() => PlatformDto)
  platform!: PlatformDto;

  @ValidateNested({ each: true })
  @Type(() => LayerDto)
  layers!: LayerDto[];
}
