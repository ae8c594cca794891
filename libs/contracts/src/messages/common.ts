import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsImageDigest } from './image-digest';
import { ScanErrorCode } from '../scan-errors';
import { MESSAGE_TEXT_MAX } from '../message-text';

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
  @IsImageDigest()
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
  @MaxLength(MESSAGE_TEXT_MAX)
  message!: string;
}

export class ResolvedImageDto {
  @IsImageDigest()
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
