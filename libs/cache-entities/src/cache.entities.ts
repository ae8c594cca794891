import { Column, Entity, PrimaryColumn } from 'typeorm';

import { CACHE_SCHEMA } from './schema';

/**
 * Where a source's blob is in its life: waiting for a download, proven and in storage, given up on
 * after its retries, or evicted from storage (fetched again by the next pull that needs it).
 */
export type BlobState = 'pending' | 'placed' | 'failed' | 'evicted';

const bigintAsNumber = { to: (value: number) => value, from: (value: string) => Number(value) };

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

  /**
   * Whose proofs its blobs are read with: `config:<registry>` for a configured upstream (shared by
   * every tenant it serves), the upstream's id for a tenant's.
   */
  @Column('text')
  blobSource!: string;

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
 * One blob as one source (an upstream, see CachedManifestEntity.blobSource) knows it: digest and
 * size together are its identity. The row is the placeholder created when a manifest of that
 * source naming it is cached, the background download's queue entry (attempts, backoff, lease)
 * and the proof (`placedAt`): that source's upstream delivered the full bytes, verified by digest
 * and size. Storage holds one file per digest (StoredBlobEntity); only a proven row reads it.
 */
@Entity({ schema: CACHE_SCHEMA, name: 'cached_blobs' })
export class CachedBlobEntity {
  @PrimaryColumn('text')
  source!: string;

  @PrimaryColumn('text')
  digest!: string;

  @PrimaryColumn('bigint', { transformer: bigintAsNumber })
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

  /** The size the manifest declares: part of the blob's identity. */
  @PrimaryColumn('bigint', { transformer: bigintAsNumber })
  size!: number;
}

/** A blob file in storage (one per digest, whichever source placed it), for the size limit and LRU eviction. */
@Entity({ schema: CACHE_SCHEMA, name: 'stored_blobs' })
export class StoredBlobEntity {
  @PrimaryColumn('text')
  digest!: string;

  @Column('bigint', { transformer: bigintAsNumber })
  size!: number;

  @Column('timestamptz')
  storedAt!: Date;

  /** Last served or placed; eviction takes the oldest first. */
  @Column('timestamptz')
  lastAccessAt!: Date;
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
