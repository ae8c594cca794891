import { Column, Entity, PrimaryColumn } from 'typeorm';

import { CACHE_SCHEMA } from './schema';

/** Where a blob is in its life: waiting for a download, in storage, or given up on after its retries. */
export type BlobState = 'pending' | 'placed' | 'failed';

/**
 * One manifest as pulled through the cache, per (scope, upstream, repository, digest). `upstream` is the
 * registry host as image references name it (`docker.io`), so `<upstream>/<repository>@<digest>`
 * is the image. The bytes are kept exactly as the upstream served them (their digest is the
 * identity). `completedAt` is set once, in the transaction that publishes ManifestComplete.
 */
@Entity({ schema: CACHE_SCHEMA, name: 'cached_manifests' })
export class CachedManifestEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** '' for a configured upstream; a tenant's upstream's id (content fetched with its credentials). */
  @Column('text')
  scope!: string;

  /** Whom the cache's events about this manifest are for: the upstream's tenant (`default` for configured ones). */
  @Column('text')
  tenantId!: string;

  @Column('text')
  upstream!: string;

  @Column('text')
  repository!: string;

  @Column('text')
  digest!: string;

  @Column('text')
  mediaType!: string;

  @Column('text', { nullable: true })
  configMediaType!: string | null;

  @Column('int')
  size!: number;

  @Column('bytea')
  content!: Buffer;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  completedAt!: Date | null;
}

/**
 * One blob by digest, shared by every manifest and repository that references it (content
 * addressed). The row is the placeholder created when a manifest naming it is cached, the
 * background download's queue entry (attempts, backoff, lease) and the placement itself
 * (`placedAt`): one store per deployment makes placement one-to-one with the blob.
 */
@Entity({ schema: CACHE_SCHEMA, name: 'cached_blobs' })
export class CachedBlobEntity {
  @PrimaryColumn('text')
  digest!: string;

  @Column('bigint', { transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  size!: number;

  @Column('text')
  mediaType!: string;

  @Column('text')
  state!: BlobState;

  @Column('int')
  attempts!: number;

  @Column('timestamptz')
  nextAttemptAt!: Date;

  @Column('text', { nullable: true })
  leaseOwner!: string | null;

  @Column('timestamptz', { nullable: true })
  leaseUntil!: Date | null;

  @Column('text', { nullable: true })
  lastError!: string | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  placedAt!: Date | null;
}

/**
 * The blobs a cached manifest needs (config and layers; for an index, those of all its child
 * manifests), which also links a blob into the manifest's repository: a blob is served for a
 * repository only when one of its cached manifests names it.
 */
@Entity({ schema: CACHE_SCHEMA, name: 'manifest_blobs' })
export class ManifestBlobEntity {
  @PrimaryColumn('uuid')
  manifestId!: string;

  @PrimaryColumn('text')
  digest!: string;
}

/** A tag as last seen upstream; revalidated once `fetchedAt` is older than the tag TTL. */
@Entity({ schema: CACHE_SCHEMA, name: 'cached_tags' })
export class CachedTagEntity {
  @PrimaryColumn('text')
  scope!: string;

  @PrimaryColumn('text')
  upstream!: string;

  @PrimaryColumn('text')
  repository!: string;

  @PrimaryColumn('text')
  tag!: string;

  @Column('text')
  digest!: string;

  @Column('timestamptz')
  fetchedAt!: Date;
}
