import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { ToSeconds } from '@vulnscan/config';
import { IsCronExpression, IsRegExpPattern, MAX_SCHEDULE_INTERVAL_SECONDS } from '@vulnscan/contracts';

const INTERVAL_MESSAGE = 'interval must be seconds or a duration such as 30m, 6h or 1d (at most a year)';

/** The timing fields shared by create and update. */
class ScheduleTimingDto {
  @ApiPropertyOptional({
    example: '6h',
    description: 'Seconds, or a duration (90s, 30m, 6h, 1d). Default SCAN_INTERVAL when neither interval nor cron is given.',
  })
  @IsOptional()
  @ToSeconds()
  @IsInt({ message: INTERVAL_MESSAGE })
  @Min(1, { message: INTERVAL_MESSAGE })
  @Max(MAX_SCHEDULE_INTERVAL_SECONDS, { message: INTERVAL_MESSAGE })
  interval?: number;

  @ApiPropertyOptional({
    example: '0 3 * * *',
    description: 'Cron expression in UTC (5 fields, or 6 with seconds first); instead of interval',
  })
  @IsOptional()
  @MaxLength(200)
  @IsCronExpression()
  cron?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** What to scan: exactly one of image, repository and registry. */
class ScheduleTargetFields extends ScheduleTimingDto {
  @ApiPropertyOptional({ example: 'ghcr.io/acme/api:1.4', description: 'One image' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  image?: string;

  @ApiPropertyOptional({ example: 'ghcr.io/acme/api', description: "Every tag of a repository (the registry's tag list)" })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  repository?: string;

  @ApiPropertyOptional({ example: 'registry.internal:5000', description: "Every tag of every repository in the registry's catalog" })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  registry?: string;

  @ApiPropertyOptional({ example: '^v\\d+\\.\\d+\\.\\d+$', description: 'Regex the TAG must match (repository and registry targets)' })
  @IsOptional()
  @MaxLength(1000)
  @IsRegExpPattern()
  tag_filter?: string;
}

export class CreateScheduleDto extends ScheduleTargetFields {
  @ApiProperty({ example: 'nightly api images' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;
}

export class UpdateScheduleDto extends ScheduleTargetFields {
  @ApiPropertyOptional()
  @ValidateIf((body: UpdateScheduleDto) => body.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;
}

export class BatchCreatedResponse {
  @ApiProperty() batch_id!: string;
  @ApiProperty({ description: 'Scans queued in the batch' }) count!: number;
  @ApiProperty({ description: 'Images left out because a scan of them was already queued or running' }) deduplicated!: number;
  @ApiProperty({ description: 'References left out by SCAN_SKIP_PATTERN (schedules) or because they do not parse' }) skipped!: number;
}
