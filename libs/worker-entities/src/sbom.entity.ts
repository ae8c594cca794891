import { Column, Entity, PrimaryColumn } from 'typeorm';
import { WORKER_SCHEMA } from './schema';

/**
 * SBOMs, one per (manifest digest, analyzer version), shared by every scan of that content
 * (schema `worker`; only the scanner-worker writes). A tenant reaches one only through a scan
 * whose manifest its own credentials fetched.
 */
@Entity({ schema: WORKER_SCHEMA, name: 'sboms' })
export class SbomEntity {
  @PrimaryColumn('text')
  manifestDigest!: string;

  @PrimaryColumn('text')
  analyzerVersion!: string;

  /** The stored `Sbom` (libs/analysis), parsed and validated when read back. */
  @Column('jsonb')
  document!: unknown;

  @Column('int')
  packageCount!: number;

  @Column('timestamptz')
  createdAt!: Date;
}
