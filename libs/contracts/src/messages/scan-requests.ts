import { Type } from 'class-transformer';
import { IsBoolean, IsEnum, IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { PlatformDto, ScanTrigger } from './common';

/** Scan request fields shared by the CreateScan command and the ScanRequested event. */
export class ScanRequestFields {
  /** Normalized image reference (see the registry lib's `normalizeReference`). */
  @IsString()
  @MaxLength(1024)
  image!: string;

  @IsEnum(ScanTrigger)
  trigger!: ScanTrigger;

  @IsOptional()
  @IsBoolean()
  forceRescan?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => PlatformDto)
  platform?: PlatformDto;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  idempotencyKey?: string;
}

/** Command (request/reply) from the gateway: create a scan or answer the in-progress one. */
export class CreateScanCommand extends ScanRequestFields {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  /** Who asked (an API key id), for the audit trail. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  requestedBy?: string;
}

export class CreateScanReply {
  scanId!: string;
  status!: string;
  deduplicated!: boolean;
}

/** Event from services other than the gateway asking for a scan; answered with ScanAccepted. */
export class ScanRequestedPayload extends ScanRequestFields {
  @IsUUID()
  requestId!: string;

  /**
   * Read the image from the platform's blob cache only (`Cache-Control: only-if-cached`), never
   * from its registry: set by the cache's own scans, whose blobs the cache is still fetching.
   */
  @IsOptional()
  @IsBoolean()
  viaCache?: boolean;
}

export class ScanAcceptedPayload {
  @IsUUID()
  requestId!: string;

  @IsUUID()
  scanId!: string;

  @IsString()
  image!: string;

  @IsBoolean()
  deduplicated!: boolean;

  /**
   * The scan's state when the request was answered: a request deduplicated into a scan already
   * running hears no ScanStarted of it any more. Absent from older schedulers (read as `queued`).
   */
  @IsOptional()
  @IsIn(['queued', 'running'])
  status?: 'queued' | 'running';
}

export class CancelScanCommand {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @IsUUID()
  scanId!: string;
}

export class CancelScanReply {
  scanId!: string;
  status!: string;
  /** False when the scan had already finished (nothing to cancel). */
  canceled!: boolean;
}
