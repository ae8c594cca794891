import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface CachedManifestStatus {
  /** The cache holds this manifest for this repository. */
  known: boolean;
  /** ManifestComplete was published for it: every blob it needs is in storage. */
  complete: boolean;
  /** Blobs it needs that are not in storage yet. */
  pendingBlobs: number;
}

/**
 * Read-only access to the blob cache's manifests for other services: how complete a cached
 * manifest is. Plain SQL on schema-qualified tables, so a reader needs none of the cache's
 * entities in its data source. (security-status no longer asks: ManifestComplete tells it.)
 */
@Injectable()
export class CacheReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async manifestStatus(upstream: string, repository: string, digest: string): Promise<CachedManifestStatus> {
    const rows = (await this.dataSource.query(
      `SELECT m.completed_at IS NOT NULL AS complete,
              (SELECT count(*) FROM cache.manifest_blobs mb
               LEFT JOIN cache.cached_blobs b ON b.source = m.blob_source AND b.digest = mb.digest AND b.size = mb.size
               WHERE mb.manifest_id = m.id AND b.placed_at IS NULL)::int AS pending
       FROM cache.cached_manifests m
       WHERE m.upstream = $1 AND m.repository = $2 AND m.digest = $3`,
      [upstream, repository, digest],
    )) as { complete: boolean; pending: number }[];
    const [row] = rows;
    if (!row) return { known: false, complete: false, pendingBlobs: 0 };
    return { known: true, complete: row.complete, pendingBlobs: row.pending };
  }
}
