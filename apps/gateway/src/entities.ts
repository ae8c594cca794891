import { Column, Entity, PrimaryColumn } from 'typeorm';

export const GATEWAY_SCHEMA = 'gateway';

export enum Scope {
  ScansRead = 'scans:read',
  ScansWrite = 'scans:write',
  /** A tenant's administrator: its own keys and bulk scans, plus its reads and writes. */
  Admin = 'admin',
  /** The operator: tenants, any tenant's keys, platform-wide audit, dead letters, feed syncs, scheduler internals. */
  PlatformAdmin = 'platform:admin',
}

@Entity({ schema: GATEWAY_SCHEMA, name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  name!: string;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  deletedAt!: Date | null;

  /** Which life of the id this is: 1, then one more each time the id is created after a deletion. */
  @Column('integer', { default: 1 })
  incarnation!: number;

  /** After a deletion: until when services drop the tenant's late messages, and the id cannot be created again. */
  @Column('timestamptz', { nullable: true })
  quietUntil!: Date | null;
}

@Entity({ schema: GATEWAY_SCHEMA, name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  tenantId!: string;

  @Column('text')
  name!: string;

  /** sha256 of the secret: keys are 256-bit random, so a fast hash is enough and lookups are O(1). */
  @Column('text')
  keyHash!: string;

  /** The first characters of the secret, to tell keys apart in listings. */
  @Column('text')
  keyPrefix!: string;

  @Column('text', { array: true })
  scopes!: Scope[];

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;
}

@Entity({ schema: GATEWAY_SCHEMA, name: 'audit_log' })
export class AuditEntryEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { nullable: true })
  tenantId!: string | null;

  @Column('text', { nullable: true })
  actor!: string | null;

  @Column('text')
  action!: string;

  @Column('text', { nullable: true })
  target!: string | null;

  @Column('int')
  status!: number;

  @Column('text', { nullable: true })
  correlationId!: string | null;

  @Column('timestamptz')
  createdAt!: Date;
}

export const GATEWAY_ENTITIES = [TenantEntity, ApiKeyEntity, AuditEntryEntity];
