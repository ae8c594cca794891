import { Column, Entity, PrimaryColumn } from 'typeorm';
import { SecurityStatus } from '@vulnscan/status-data';
import { STATUS_SCHEMA } from './schema';

/** One row per (tenant, upstream, repository, manifest digest). */
@Entity({ schema: STATUS_SCHEMA, name: 'manifest_security_status' })
export class ManifestSecurityStatusEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  tenantId!: string;

  /** The upstream's registry host as image references name it (`docker.io`, `127.0.0.1:5555`). */
  @Column('text')
  upstream!: string;

  @Column('text')
  repository!: string;

  @Column('text')
  manifestDigest!: string;

  @Column('text', { nullable: true })
  mediaType!: string | null;

  @Column('text')
  status!: SecurityStatus;

  /** `unsupported`: an UnsupportedReason; `failed` and `retries_exhausted`: the scan's error code. */
  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('text', { nullable: true })
  message!: string | null;

  /** The ScanRequested this service sent last; only the scan it was answered with counts. */
  @Column('uuid', { nullable: true })
  requestId!: string | null;

  @Column('uuid', { nullable: true })
  scanId!: string | null;

  /** The last scan that completed for this manifest (its report is the status's report). */
  @Column('uuid', { nullable: true })
  lastCompletedScanId!: string | null;

  /** Scans requested since the status was last reset. */
  @Column('int')
  attempts!: number;

  /**
   * The cache has every blob (its ManifestComplete was handled): the scan requested since then can
   * read them all, so a later ManifestComplete asks for nothing more.
   */
  @Column('boolean')
  cacheComplete!: boolean;

  /** When a scan the scheduler failed for good is requested again. */
  @Column('timestamptz', { nullable: true })
  retryAt!: Date | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}
