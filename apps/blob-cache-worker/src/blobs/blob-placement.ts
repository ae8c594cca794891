import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Events } from '@vulnscan/contracts';
import { Outbox } from '@vulnscan/messaging';
import { CONFIG_TENANT, returning } from '../sql';

/**
 * Records that a blob is in storage. Every path that puts a blob into the store ends here, and
 * only the transaction that turns the placeholder into a placement publishes BlobDownloaded: the
 * row lock on the blob orders it against a manifest being stored at the same moment (see
 * ManifestStore), so the completion check after it sees every manifest that needs the blob.
 */
@Injectable()
export class BlobPlacement {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** True when this call placed the blob (and published BlobDownloaded). */
  place(digest: string): Promise<boolean> {
    return this.dataSource.transaction((manager) => this.placeIn(manager, digest));
  }

  async placeIn(manager: EntityManager, digest: string): Promise<boolean> {
    const [placed] = await returning<{ size: string }>(
      manager,
      `UPDATE cache.cached_blobs
       SET state = 'placed', placed_at = now(), lease_owner = NULL, lease_until = NULL, last_error = NULL
       WHERE digest = $1 AND placed_at IS NULL
       RETURNING size`,
      [digest],
    );
    if (!placed) return false;
    await this.outbox.add(manager, {
      type: Events.BlobDownloaded,
      tenantId: CONFIG_TENANT,
      payload: { digest, size: Number(placed.size) },
    });
    return true;
  }
}
