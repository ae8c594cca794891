import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CronExpressionParser } from 'cron-parser';
import { ValidatedBy } from './outbound-url';
import { REGISTRY_HOST_PATTERN } from './registry-credentials';

/** Longest schedule interval: a year. */
export const MAX_SCHEDULE_INTERVAL_SECONDS = 366 * 86400;
/** Most references one bulk request may list. */
export const MAX_BULK_IMAGES = 10000;

/** What is wrong with a regular expression, or undefined when it compiles. */
export function regExpProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string holding a regular expression';
  try {
    new RegExp(value);
    return undefined;
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
}

/** What is wrong with a cron expression (5 fields, or 6 with seconds first), or undefined. */
export function cronProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim().length === 0) return 'must be a cron expression such as "0 3 * * *"';
  const fields = value.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) return `must have 5 fields (minute hour day month weekday) or 6 with seconds first; got ${fields}`;
  try {
    CronExpressionParser.parse(value);
    return undefined;
  } catch (error) {
    return `is not a valid cron expression: ${(error as Error).message}`;
  }
}

export const IsRegExpPattern = (): PropertyDecorator =>
  ValidatedBy('isRegExpPattern', (value) => {
    const problem = regExpProblem(value);
    return problem && `pattern ${problem}`;
  });

export const IsCronExpression = (): PropertyDecorator =>
  ValidatedBy('isCronExpression', (value) => {
    const problem = cronProblem(value);
    return problem && `cron ${problem}`;
  });

export enum ScheduleTargetKind {
  /** One image reference. */
  Image = 'image',
  /** Every tag of one repository (the registry's tag list), optionally filtered. */
  Repository = 'repository',
  /** Every tag of every repository in a registry's catalog, optionally filtered. */
  Catalog = 'catalog',
}

export type ScanTargetKindName = `${ScheduleTargetKind}`;

/** What a schedule scans; references are normalized (see the registry lib's `normalizeReference`). */
export class ScheduleTargetDto {
  @IsEnum(ScheduleTargetKind)
  kind!: ScheduleTargetKind;

  @ValidateIf((target: ScheduleTargetDto) => target.kind === ScheduleTargetKind.Image)
  @IsString()
  @MaxLength(1024)
  image?: string;

  @ValidateIf((target: ScheduleTargetDto) => target.kind !== ScheduleTargetKind.Image)
  @Matches(REGISTRY_HOST_PATTERN, { message: 'registry must be a host or host:port' })
  @MaxLength(255)
  registry?: string;

  @ValidateIf((target: ScheduleTargetDto) => target.kind === ScheduleTargetKind.Repository)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  repository?: string;

  /** Tags (not whole references) must match this to be scanned. */
  @IsOptional()
  @MaxLength(1000)
  @IsRegExpPattern()
  tagFilter?: string;
}

class ScheduleTiming {
  /** Seconds between runs; a schedule has this or `cron`, never both. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SCHEDULE_INTERVAL_SECONDS)
  intervalSeconds?: number;

  @IsOptional()
  @MaxLength(200)
  @IsCronExpression()
  cron?: string;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class CreateScheduleCommand extends ScheduleTiming {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ValidateNested()
  @Type(() => ScheduleTargetDto)
  target!: ScheduleTargetDto;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  requestedBy?: string;
}

/** Changes what is given; giving `intervalSeconds` clears `cron` and the other way round. */
export class UpdateScheduleCommand extends ScheduleTiming {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @IsUUID()
  id!: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => ScheduleTargetDto)
  target?: ScheduleTargetDto;
}

/** Delete a schedule, or run it now (its scans join a new batch). */
export class ScheduleRefCommand {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @IsUUID()
  id!: string;
}

export class BulkScanFilterDto {
  @IsOptional()
  @Matches(REGISTRY_HOST_PATTERN, { message: 'registry must be a host or host:port' })
  @MaxLength(255)
  registry?: string;

  /** A repository path within the registry, e.g. `library/alpine`. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  repository?: string;

  /** Whole normalized references must match this (a POSIX regex, run by Postgres). */
  @IsOptional()
  @MaxLength(1000)
  @IsRegExpPattern()
  pattern?: string;
}

/** Scan many images at once: the listed references, or every known image the filter selects. */
export class CreateBulkScanCommand {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @ValidateIf((command: CreateBulkScanCommand) => command.filter === undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_IMAGES)
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  images?: string[];

  @IsOptional()
  @ValidateNested()
  @Type(() => BulkScanFilterDto)
  filter?: BulkScanFilterDto;

  @IsOptional()
  @IsBoolean()
  forceRescan?: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  requestedBy?: string;
}

export class BatchRefCommand {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @IsUUID()
  batchId!: string;
}

/** Asks the scanner-worker (which holds registry credentials) for the references a target covers. */
export class ListTargetImagesCommand {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @ValidateNested()
  @Type(() => ScheduleTargetDto)
  target!: ScheduleTargetDto;

  /** Stop after this many references (the answer says it was truncated). */
  @IsInt()
  @Min(1)
  @Max(1000000)
  limit!: number;
}

export interface ListTargetImagesReply {
  /** Normalized references, tag filter applied. */
  images: string[];
  truncated: boolean;
}

/** The answer of a bulk scan or of a schedule run: the batch it created. */
export interface BatchCreatedReply {
  batchId: string;
  /** Scans created in the batch. */
  count: number;
  /** Images left out because a scan of them was already queued or running. */
  deduplicated: number;
  /** References left out by the skip pattern or because they do not parse. */
  skipped: number;
}

/** The answer of creating or updating a schedule: its id (the gateway reads the rest back). */
export interface ScheduleIdReply {
  id: string;
}

/** The answer of canceling a batch: how many of its scans were still waiting and got canceled. */
export interface BatchCanceledReply {
  canceled: number;
}

export interface ScheduleView {
  id: string;
  name: string;
  target: ScheduleTargetDto;
  intervalSeconds: number | null;
  cron: string | null;
  enabled: boolean;
  nextRunAt: string;
  lastRunAt: string | null;
  lastBatchId: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}
