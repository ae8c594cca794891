import { Type } from 'class-transformer';
import { IsBoolean, IsEnum, IsInt, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsImageDigest } from './image-digest';
import { PlatformDto, ResolvedImageDto, ScanErrorDto, ScanJobKind, ScanTrigger } from './common';

/** Published by the scheduler's dispatcher; taken by one scanner-worker (competing consumers). */
export class ScanJobQueuedPayload {
  @IsUUID()
  scanId!: string;

  @IsInt()
  @Min(1)
  attempt!: number;

  @IsEnum(ScanJobKind)
  kind!: ScanJobKind;

  @IsString()
  @MaxLength(1024)
  image!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => PlatformDto)
  platform?: PlatformDto;

  /** Read from the blob cache only (see ScanRequestedPayload.viaCache). */
  @IsOptional()
  @IsBoolean()
  viaCache?: boolean;

  /** A rematch: the manifest whose stored SBOM to match again; the registry is not contacted. */
  @IsOptional()
  @IsImageDigest()
  manifestDigest?: string;
}

class ScanEventBase {
  @IsUUID()
  scanId!: string;

  @IsString()
  @MaxLength(1024)
  image!: string;

  /**
   * Whether a service that asked for the scan by ScanRequested follows it (absent from older
   * schedulers: a follower then treats every scan as possibly its own).
   */
  @IsOptional()
  @IsBoolean()
  followed?: boolean;
}

export class ScanStartedPayload extends ScanEventBase {
  @IsInt()
  @Min(1)
  attempt!: number;
}

export class ScanCompletedPayload extends ScanEventBase {
  @ValidateNested()
  @Type(() => ResolvedImageDto)
  result!: ResolvedImageDto;

  /** Why the scan ran, so followers need not read the scan (absent from older schedulers). */
  @IsOptional()
  @IsEnum(ScanTrigger)
  trigger?: ScanTrigger;

  /** When the scheduler completed it (ISO 8601; absent from older schedulers). */
  @IsOptional()
  @IsISO8601()
  completedAt?: string;
}

export class ScanFailedPayload extends ScanEventBase {
  @ValidateNested()
  @Type(() => ScanErrorDto)
  error!: ScanErrorDto;
}

export class ScanCanceledPayload extends ScanEventBase {}
