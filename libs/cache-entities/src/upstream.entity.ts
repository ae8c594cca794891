import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { UpstreamSource } from '@vulnscan/contracts';
import { CACHE_SCHEMA } from './schema';

/**
 * One upstream registry of the cache. `source = 'config'` rows mirror the cache's CACHE_UPSTREAMS
 * (written at its start, no tenant, read-only through the API); `source = 'api'` rows belong to
 * one tenant, one per (tenant, registry), with the password sealed by the cache's SecretCipher
 * (`secret`, never read outside the blob cache).
 */
@Entity({ schema: CACHE_SCHEMA, name: 'upstreams' })
export class CacheUpstreamEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  source!: UpstreamSource;

  @Column('text', { nullable: true })
  tenantId!: string | null;

  /** The registry host as image references and `?ns=` name it (lowercase, Docker Hub as docker.io). */
  @Column('text')
  registry!: string;

  /** A configured upstream's tenants (`*`: all); tenants' own rows keep the default. */
  @Column('text', { array: true })
  tenants!: string[];

  /** Where its Distribution API lives: an http(s) registry root. */
  @Column('text')
  url!: string;

  @Column('text', { nullable: true })
  username!: string | null;

  @Column('text', { nullable: true, select: false })
  secret!: string | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}
