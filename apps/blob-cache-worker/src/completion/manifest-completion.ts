import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Events } from '@vulnscan/contracts';
import { Outbox } from '@vulnscan/messaging';
import { returning } from '../sql';

/**
 * Completes the manifests a newly placed blob finished. Runs after the placement committed (in
 * the BlobDownloaded consumer), so of two last blobs placed at the same moment at least one check
 * sees both; the `completed_at IS NULL` update gates the event, so at most one publishes it.
 */
@Injectable()
export class ManifestCompletion {
  constructor(private readonly outbox: Outbox) {}

  /** Publishes ManifestComplete for each manifest `digest` completed; returns how many. */
  async afterPlacement(manager: EntityManager, digest: string): Promise<number> {
    // One indexed query: the manifests naming the blob (manifest_blobs by digest) that now have
    // no blob left that their own source has not proven (manifest_blobs by manifest id,
    // cached_blobs by key; a missing row counts as unproven).
    const candidates = (await manager.query(
      `SELECT DISTINCT m.id FROM cache.manifest_blobs mb
       JOIN cache.cached_manifests m ON m.id = mb.manifest_id
       WHERE mb.digest = $1 AND m.completed_at IS NULL
         AND NOT EXISTS (
           SELECT 1 FROM cache.manifest_blobs other
           LEFT JOIN cache.cached_blobs b ON b.source = m.blob_source AND b.digest = other.digest AND b.size = other.size
           WHERE other.manifest_id = m.id AND b.placed_at IS NULL)
       ORDER BY m.id`,
      [digest],
    )) as { id: string }[];
    let completed = 0;
    for (const { id } of candidates) {
      const [manifest] = await returning<{ upstream: string; repository: string; digest: string; tenant_id: string; completed_at: Date }>(
        manager,
        `UPDATE cache.cached_manifests SET completed_at = now() WHERE id = $1 AND completed_at IS NULL
         RETURNING upstream, repository, digest, tenant_id, completed_at`,
        [id],
      );
      if (!manifest) continue; // a concurrent check completed it first
      const { tenant_id: tenantId, completed_at: completedAt, ...identity } = manifest;
      // For the tenant whose upstream the manifest came through (`default` for configured ones).
      await this.outbox.add(manager, {
        type: Events.ManifestComplete,
        tenantId,
        payload: { ...identity, completedAt: completedAt.toISOString() },
      });
      completed += 1;
    }
    return completed;
  }
}
