import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Events } from '@vulnscan/contracts';
import { Outbox, OutboxMessage } from '@vulnscan/messaging';
import { returning } from '../sql';
import type { Upstream } from '../upstreams/upstream-config';
import type { ContentRef, ManifestDocument } from './manifest-document';

/** A manifest ready to be stored: its bytes, what it is, and every blob it needs. */
export interface PreparedManifest {
  readonly digest: string;
  readonly bytes: Buffer;
  readonly document: ManifestDocument;
  /** Its own config and layers; for an index, those of all its child manifests. */
  readonly blobs: readonly ContentRef[];
}

export interface StoredManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

export interface StoredTag extends StoredManifest {
  /** Fetched from upstream within the tag TTL. */
  readonly fresh: boolean;
}

/** What stored content is keyed by: the upstream's name and scope, whose blob proofs it reads, and whom its events are for. */
export type UpstreamKey = Pick<Upstream, 'name' | 'scope' | 'tenantId' | 'blobSource'>;

interface ManifestRow {
  digest: string;
  media_type: string;
  content: Buffer;
}

/** The manifest and tag tables: what the cache holds, and storing new manifests with their events. */
@Injectable()
export class ManifestStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async findManifest(upstream: UpstreamKey, repository: string, digest: string): Promise<StoredManifest | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT digest, media_type, content FROM cache.cached_manifests WHERE scope = $4 AND upstream = $1 AND repository = $2 AND digest = $3`,
      [upstream.name, repository, digest, upstream.scope],
    )) as ManifestRow[];
    return row ? { digest: row.digest, mediaType: row.media_type, bytes: row.content } : undefined;
  }

  async findTag(upstream: UpstreamKey, repository: string, tag: string, ttlSeconds: number): Promise<StoredTag | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT m.digest, m.media_type, m.content, t.fetched_at > now() - make_interval(secs => $4) AS fresh
       FROM cache.cached_tags t
       JOIN cache.cached_manifests m ON m.scope = t.scope AND m.upstream = t.upstream AND m.repository = t.repository AND m.digest = t.digest
       WHERE t.scope = $5 AND t.upstream = $1 AND t.repository = $2 AND t.tag = $3`,
      [upstream.name, repository, tag, ttlSeconds, upstream.scope],
    )) as (ManifestRow & { fresh: boolean })[];
    return row ? { digest: row.digest, mediaType: row.media_type, bytes: row.content, fresh: row.fresh } : undefined;
  }

  /**
   * Stores manifests pulled for one repository (an index's children before the index) in one
   * transaction, with the tag that named the last one. A manifest new to the repository gets its
   * blobs' placeholders and links and publishes ManifestCached; when every blob is placed already
   * it is complete at once, and ManifestComplete commits with it.
   */
  async save(upstream: UpstreamKey, repository: string, manifests: readonly PreparedManifest[], tag?: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const events: OutboxMessage[] = [];
      for (const manifest of manifests) {
        events.push(...(await this.insert(manager, upstream, repository, manifest)));
      }
      const named = manifests[manifests.length - 1];
      if (tag && named) {
        await manager.query(
          `INSERT INTO cache.cached_tags (scope, upstream, repository, tag, digest, fetched_at) VALUES ($5, $1, $2, $3, $4, now())
           ON CONFLICT (scope, upstream, repository, tag) DO UPDATE SET digest = EXCLUDED.digest, fetched_at = now()`,
          [upstream.name, repository, tag, named.digest, upstream.scope],
        );
      }
      if (events.length > 0) await this.outbox.addMany(manager, events);
    });
  }

  private async insert(
    manager: EntityManager,
    upstream: UpstreamKey,
    repository: string,
    manifest: PreparedManifest,
  ): Promise<OutboxMessage[]> {
    const { document } = manifest;
    const [created] = (await manager.query(
      `INSERT INTO cache.cached_manifests (id, scope, tenant_id, blob_source, upstream, repository, digest, media_type, config_media_type, size, content)
       VALUES ($1, $9, $10, $11, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (scope, upstream, repository, digest) DO NOTHING
       RETURNING id`,
      [
        randomUUID(),
        upstream.name,
        repository,
        manifest.digest,
        document.mediaType,
        document.configMediaType ?? null,
        manifest.bytes.length,
        manifest.bytes,
        upstream.scope,
        upstream.tenantId,
        upstream.blobSource,
      ],
    )) as { id: string }[];
    // Already held for this repository (through this upstream): whoever stored it published its events.
    if (!created) return [];

    const blobs = uniqueBlobs(manifest.blobs);
    const placed = await this.placeholders(manager, upstream.blobSource, blobs);
    if (blobs.length > 0) {
      await manager.query(
        `INSERT INTO cache.manifest_blobs (manifest_id, digest, size) SELECT $1, digest, size FROM unnest($2::text[], $3::bigint[]) AS b(digest, size)`,
        [created.id, blobs.map((blob) => blob.digest), blobs.map((blob) => blob.size)],
      );
    }
    const complete = placed === blobs.length;
    const [completion] = complete
      ? await returning<{ completed_at: Date }>(
          manager,
          `UPDATE cache.cached_manifests SET completed_at = now() WHERE id = $1 RETURNING completed_at`,
          [created.id],
        )
      : [];

    // The payload names the registry as references do; the envelope's tenant is the upstream's.
    const identity = { upstream: upstream.name, repository, digest: manifest.digest };
    const cached: OutboxMessage = {
      type: Events.ManifestCached,
      tenantId: upstream.tenantId,
      payload: {
        ...identity,
        mediaType: document.mediaType,
        ...(document.configMediaType ? { configMediaType: document.configMediaType } : {}),
        complete,
      },
    };
    if (!completion) return [cached];
    const completedAt = completion.completed_at.toISOString();
    return [cached, { type: Events.ManifestComplete, tenantId: upstream.tenantId, payload: { ...identity, completedAt } }];
  }

  /**
   * Creates the source's placeholders of the blobs (a failed or evicted one is queued again) and
   * answers how many this source has proven already. A blob is (digest, size) per source, so a
   * placeholder another source registered first, with whatever size it claimed, is not this one.
   * The upsert locks every row, in key order (no deadlocks between manifests): a placement
   * committing meanwhile is either seen here, or waits for this transaction and then finds these
   * manifest links in its completion check. Either way the manifest completes once.
   */
  private async placeholders(manager: EntityManager, source: string, blobs: readonly ContentRef[]): Promise<number> {
    if (blobs.length === 0) return 0;
    const rows = (await manager.query(
      `INSERT INTO cache.cached_blobs (source, digest, size, media_type)
       SELECT $4, digest, size, media_type FROM unnest($1::text[], $2::bigint[], $3::text[]) AS b(digest, size, media_type)
       ORDER BY digest, size
       ON CONFLICT (source, digest, size) DO UPDATE SET
         state = CASE WHEN cached_blobs.state IN ('failed', 'evicted') THEN 'pending' ELSE cached_blobs.state END,
         attempts = CASE WHEN cached_blobs.state IN ('failed', 'evicted') THEN 0 ELSE cached_blobs.attempts END,
         next_attempt_at = CASE WHEN cached_blobs.state IN ('failed', 'evicted') THEN now() ELSE cached_blobs.next_attempt_at END
       RETURNING placed_at IS NOT NULL AS placed`,
      [blobs.map((blob) => blob.digest), blobs.map((blob) => blob.size), blobs.map((blob) => blob.mediaType), source],
    )) as { placed: boolean }[];
    return rows.filter((row) => row.placed).length;
  }
}

/** Each (digest, size) once, in key order (the order rows are locked in). */
function uniqueBlobs(blobs: readonly ContentRef[]): ContentRef[] {
  const byKey = new Map<string, ContentRef>();
  for (const blob of blobs) byKey.set(`${blob.digest} ${String(blob.size).padStart(20, '0')}`, blob);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, blob]) => blob);
}
