import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ResolvedImageDto, ScanErrorDto } from './common';

/** Every worker report names the scan and the attempt it belongs to; stale attempts are ignored. */
class AttemptBase {
  @IsUUID()
  scanId!: string;

  @IsInt()
  @Min(1)
  attempt!: number;

  @IsString()
  @MaxLength(200)
  workerId!: string;
}

export class ScanAttemptStartedPayload extends AttemptBase {}

export class ScanAttemptProgressedPayload extends AttemptBase {
  @IsInt()
  @Min(0)
  @Max(100)
  progress!: number;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  stage?: string;
}

/** The vulnerability report a successful attempt stored (optional: older workers sent none). */
export class AttemptReportDto {
  @IsUUID()
  reportId!: string;

  /** The vulndb version the report was computed with; absent while no feed has been imported. */
  @IsOptional()
  @IsString()
  @MaxLength(30)
  vulndbVersion?: string;

  @IsInt()
  @Min(0)
  findings!: number;

  @IsInt()
  @Min(0)
  fixable!: number;
}

export class ScanAttemptSucceededPayload extends AttemptBase {
  @ValidateNested()
  @Type(() => ResolvedImageDto)
  result!: ResolvedImageDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => AttemptReportDto)
  report?: AttemptReportDto;
}

export class ScanAttemptFailedPayload extends AttemptBase {
  @ValidateNested()
  @Type(() => ScanErrorDto)
  error!: ScanErrorDto;

  /** Seconds the registry asked us to wait before trying again, when it said. */
  @IsOptional()
  @IsInt()
  @Min(0)
  retryAfterSeconds?: number;
}
