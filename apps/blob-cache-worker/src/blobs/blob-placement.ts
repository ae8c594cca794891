import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Events } from '@vulnscan/contracts';
import { Outbox } from '@vulnscan/messaging';
import { CONFIG_TENANT, returning } from '../sql';

/** A blob as one source knows it: digest and size are its identity, the source whose upstream proves it. */
export interface SourceBlob {
  readonly source: string;
  readonly digest: string;
  readonly size: number;
}

/**
 * Records that a source's upstream delivered a blob's full, verified bytes and that they are in
 * storage. Every path that puts a blob into the store ends here, and only the transaction that
 * turns the placeholder into a placement publishes BlobDownloaded: the row lock on the blob
 * orders it against a manifest being stored at the same moment (see ManifestStore), so the
 * completion check after it sees every manifest that needs the blob.
 */
@Injectable()
export class BlobPlacement {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** True when this call placed the blob (and published BlobDownloaded). */
  place(blob: SourceBlob): Promise<boolean> {
    return this.dataSource.transaction((manager) => this.placeIn(manager, blob));
  }

  async placeIn(manager: EntityManager, { source, digest, size }: SourceBlob): Promise<boolean> {
    // The file is in storage whoever proved it: account for it (and count the placement as an access).
    await manager.query(
      `INSERT INTO cache.stored_blobs (digest, size) VALUES ($1, $2)
       ON CONFLICT (digest) DO UPDATE SET last_access_at = now()`,
      [digest, size],
    );
    const [placed] = await returning<{ size: string }>(
      manager,
      `UPDATE cache.cached_blobs
       SET state = 'placed', placed_at = now(), lease_owner = NULL, lease_until = NULL, last_error = NULL
       WHERE source = $1 AND digest = $2 AND size = $3 AND placed_at IS NULL
       RETURNING size`,
      [source, digest, size],
    );
    if (!placed) return false;
    await this.outbox.add(manager, {
      type: Events.BlobDownloaded,
      tenantId: CONFIG_TENANT,
      payload: { digest, size },
    });
    return true;
  }
}
