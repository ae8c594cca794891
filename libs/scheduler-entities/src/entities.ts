import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { LayerDto, PlatformDto, ScanErrorCode, ScanJobKind, ScanTargetKindName, ScanTrigger } from '@vulnscan/contracts';
import { BatchSource, ScanStatus } from '@vulnscan/scan-data';

/**
 * The scheduler's slice (schema `scheduler`). Only the scan-scheduler imports this lib (the lint rule
 * `data-of:scan-scheduler` says so); other services read through `@vulnscan/scan-data`'s readers.
 */
export const SCHEDULER_SCHEMA = 'scheduler';

/** One row per normalized image reference per tenant: dedupe and history key on it. */
@Entity({ schema: SCHEDULER_SCHEMA, name: 'images' })
@Index(['tenantId', 'reference'], { unique: true })
export class ImageEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  tenantId!: string;

  @Column('text')
  reference!: string;

  @Column('text')
  registry!: string;

  @Column('text')
  repository!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ schema: SCHEDULER_SCHEMA, name: 'scans' })
export class ScanEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  tenantId!: string;

  @Column('uuid')
  imageId!: string;

  /** The normalized reference, kept on the scan so listings need no join. */
  @Column('text')
  image!: string;

  @Column('text')
  registry!: string;

  @Column('text')
  status!: ScanStatus;

  @Column('text')
  kind!: ScanJobKind;

  @Column('text')
  trigger!: ScanTrigger;

  @Column('int')
  progress!: number;

  @Column('boolean')
  forceRescan!: boolean;

  @Column('text', { nullable: true })
  idempotencyKey!: string | null;

  @Column('text', { nullable: true })
  requestedBy!: string | null;

  @Column('uuid', { nullable: true })
  requestId!: string | null;

  @Column('jsonb', { nullable: true })
  requestedPlatform!: PlatformDto | null;

  /** Read from the platform's blob cache only (a scan the cache asked for), never the registry. */
  @Column('boolean')
  viaCache!: boolean;

  /** Another service asked for this scan by ScanRequested (or was deduplicated into it) and follows it by its events. */
  @Column('boolean')
  followed!: boolean;

  /** The bulk request or schedule run this scan belongs to, if any. */
  @Column('uuid', { nullable: true })
  batchId!: string | null;

  /** The current attempt; 0 until first dispatched. Reports of other attempts are stale. */
  @Column('int')
  attempt!: number;

  @Column('text', { nullable: true })
  workerId!: string | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  dispatchedAt!: Date | null;

  @Column('timestamptz')
  nextAttemptAt!: Date;

  @Column('timestamptz', { nullable: true })
  attemptDeadline!: Date | null;

  /** The scan's overall deadline: past it the scan fails with `timeout` and blocks nothing. */
  @Column('timestamptz')
  timeoutAt!: Date;

  @Column('timestamptz', { nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  completedAt!: Date | null;

  @Column('text', { nullable: true })
  manifestDigest!: string | null;

  @Column('text', { nullable: true })
  mediaType!: string | null;

  @Column('jsonb', { nullable: true })
  platform!: PlatformDto | null;

  @Column('jsonb', { nullable: true })
  layers!: LayerDto[] | null;

  @Column('text', { nullable: true })
  errorCode!: ScanErrorCode | null;

  @Column('text', { nullable: true })
  errorMessage!: string | null;

  @Column('timestamptz')
  updatedAt!: Date;
}

@Entity({ schema: SCHEDULER_SCHEMA, name: 'scan_attempts' })
export class ScanAttemptEntity {
  @PrimaryColumn('uuid')
  scanId!: string;

  @PrimaryColumn('int')
  attempt!: number;

  @Column('text')
  status!: 'dispatched' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'crashed' | 'canceled';

  @Column('text', { nullable: true })
  workerId!: string | null;

  @Column('timestamptz')
  dispatchedAt!: Date;

  @Column('timestamptz', { nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  finishedAt!: Date | null;

  @Column('text', { nullable: true })
  errorCode!: string | null;

  @Column('text', { nullable: true })
  errorMessage!: string | null;
}

/** A periodic scan of an image, a repository's tags or a registry's catalog. */
@Entity({ schema: SCHEDULER_SCHEMA, name: 'schedules' })
export class ScheduleEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  tenantId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  targetKind!: ScanTargetKindName;

  /** The reference, for an image target. */
  @Column('text', { nullable: true })
  image!: string | null;

  /** The registry host, for repository and catalog targets. */
  @Column('text', { nullable: true })
  registry!: string | null;

  @Column('text', { nullable: true })
  repository!: string | null;

  @Column('text', { nullable: true })
  tagFilter!: string | null;

  /** Exactly one of intervalSeconds and cron is set. */
  @Column('int', { nullable: true })
  intervalSeconds!: number | null;

  @Column('text', { nullable: true })
  cron!: string | null;

  @Column('boolean')
  enabled!: boolean;

  @Column('timestamptz')
  nextRunAt!: Date;

  @Column('timestamptz', { nullable: true })
  lastRunAt!: Date | null;

  @Column('uuid', { nullable: true })
  lastBatchId!: string | null;

  /** Why the last run scanned nothing (the tag list could not be read, ...), until a run succeeds. */
  @Column('text', { nullable: true })
  lastError!: string | null;

  @Column('text', { nullable: true })
  createdBy!: string | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}

/** The scans of one bulk request or one schedule run; their counts per status are the batch's progress. */
@Entity({ schema: SCHEDULER_SCHEMA, name: 'scan_batches' })
export class ScanBatchEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  tenantId!: string;

  @Column('text')
  source!: BatchSource;

  @Column('uuid', { nullable: true })
  scheduleId!: string | null;

  @Column('text', { nullable: true })
  requestedBy!: string | null;

  /** Scans in the batch. */
  @Column('int')
  count!: number;

  /** References the request named that were left out (skip pattern, invalid). */
  @Column('int')
  skipped!: number;

  /** Images left out because a scan of them was already queued or running. */
  @Column('int')
  deduplicated!: number;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  canceledAt!: Date | null;
}

/**
 * One row per periodic job (schedule ticks, sweeps, retention): a replica runs the job only after
 * moving `next_run_at` forward in a conditional update, so N replicas run each period once.
 */
@Entity({ schema: SCHEDULER_SCHEMA, name: 'periodic_jobs' })
export class PeriodicJobEntity {
  @PrimaryColumn('text')
  name!: string;

  @Column('timestamptz')
  nextRunAt!: Date;

  @Column('timestamptz', { nullable: true })
  lastRunAt!: Date | null;

  @Column('text', { nullable: true })
  lastRunBy!: string | null;

  @Column('int', { nullable: true })
  lastDurationMs!: number | null;

  @Column('text', { nullable: true })
  lastError!: string | null;
}

/** A live scheduler replica, for the status endpoint; rows are refreshed every few seconds. */
@Entity({ schema: SCHEDULER_SCHEMA, name: 'scheduler_instances' })
export class SchedulerInstanceEntity {
  @PrimaryColumn('text')
  instanceId!: string;

  @Column('timestamptz')
  startedAt!: Date;

  @Column('timestamptz')
  heartbeatAt!: Date;

  /** Its SCAN_ENABLED: whether its schedules create scans. */
  @Column('boolean')
  scanEnabled!: boolean;

  /** Consumers on the scan work queue when it last looked (the scanner-worker processes). */
  @Column('int')
  workerCount!: number;
}

export const SCHEDULER_ENTITIES = [
  ImageEntity,
  ScanEntity,
  ScanAttemptEntity,
  ScheduleEntity,
  ScanBatchEntity,
  PeriodicJobEntity,
  SchedulerInstanceEntity,
];
