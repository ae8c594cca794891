import { Column, Entity, PrimaryColumn } from 'typeorm';
import { WORKER_SCHEMA } from './schema';

/**
 * A configured vulnerability feed and how its last import went (schema `worker`; only the
 * scanner-worker writes).
 */
@Entity({ schema: WORKER_SCHEMA, name: 'feeds' })
export class FeedEntity {
  @PrimaryColumn('text')
  name!: string;

  /** osv, alpine-secdb, debian-oval. */
  @Column('text')
  kind!: string;

  /** The path or URL it is read from. */
  @Column('text')
  location!: string;

  /** The vulndb version of the last import that changed this feed (bigint, as text). */
  @Column('bigint', { nullable: true })
  version!: string | null;

  @Column('int')
  recordCount!: number;

  @Column('int')
  skippedCount!: number;

  @Column('timestamptz', { nullable: true })
  lastSyncAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  lastSuccessAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  lastChangedAt!: Date | null;

  @Column('text', { nullable: true })
  lastError!: string | null;

  @Column('jsonb')
  skippedSample!: { location: string; reason: string }[];
}
