import { Column, Entity, PrimaryColumn } from 'typeorm';
import { WORKER_SCHEMA } from './schema';

/** A tenant's registry login; only the scanner-worker reads the secret or writes the table. */
@Entity({ schema: WORKER_SCHEMA, name: 'registry_credentials' })
export class RegistryCredentialEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  tenantId!: string;

  @Column('text')
  registry!: string;

  @Column('text')
  username!: string;

  /** AES-256-GCM ciphertext of the password (`v1:<base64 iv|tag|data>`); never leaves the worker. */
  @Column('text', { select: false })
  secret!: string;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}
