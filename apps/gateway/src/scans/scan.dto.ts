import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { ScanStatus } from '@vulnscan/scan-data';
import { PageQuery } from '../page-query.dto';

export class CreateScanDto {
  @ApiPropertyOptional({
    example: 'docker.io/library/alpine:3.10',
    description: 'Any docker/OCI reference; Docker Hub and library/ by default',
  })
  @ValidateIf((body: CreateScanDto) => body.image !== undefined || body.image_name === undefined)
  @IsString({ message: 'image is required (or the older image_name/image_tag pair)' })
  @MaxLength(1024)
  image?: string;

  @ApiPropertyOptional({ example: 'nginx', description: 'Older request shape: repository name' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  image_name?: string;

  @ApiPropertyOptional({ example: 'latest', description: 'Older request shape: tag (default latest)' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  image_tag?: string;

  @ApiPropertyOptional({ default: false, description: 'Start a new scan even if one of this image is queued or running' })
  @IsOptional()
  @IsBoolean()
  force_rescan?: boolean;

  @ApiPropertyOptional({ description: 'Recorded with the scan; never unique' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  idempotency_key?: string;

  @ApiPropertyOptional({ example: 'linux/arm64', description: 'Platform to pick from a multi-arch index (default linux/amd64)' })
  @IsOptional()
  @Matches(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, { message: 'platform must look like os/architecture[/variant]' })
  platform?: string;
}

export class ListScansQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Image reference (normalized before matching)' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  image?: string;

  @ApiPropertyOptional({ enum: ScanStatus })
  @IsOptional()
  @IsIn(Object.values(ScanStatus))
  status?: ScanStatus;
}

export class CreateScanResponse {
  @ApiProperty() scan_id!: string;
  @ApiProperty({ enum: ScanStatus }) status!: string;
  @ApiProperty() deduplicated!: boolean;
}
