import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { LayerDto, PlatformDto, ScanErrorCode, ScanJobKind, ScanTrigger } from '@vulnscan/contracts';

/** The scheduler's slice (schema `scheduler`). Only the scan-scheduler writes these tables. */
export const SCHEDULER_SCHEMA = 'scheduler';

export enum ScanStatus {
  Queued = 'queued',
  Running = 'running',
  Completed = 'completed',
  Failed = 'failed',
  Canceled = 'canceled',
}

export const ACTIVE_STATUSES: readonly ScanStatus[] = [ScanStatus.Queued, ScanStatus.Running];

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

export const SCAN_DATA_ENTITIES = [ImageEntity, ScanEntity, ScanAttemptEntity];
