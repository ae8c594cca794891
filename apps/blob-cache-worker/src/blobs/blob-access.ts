import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';

/** An access refreshes a blob's last access time at most this often (one write per blob per second). */
const TOUCH_EVERY_SECONDS = 1;

/**
 * What eviction must know about reads: when each stored blob was last served (in Postgres, for
 * every replica), and which blobs this process is sending right now (never evicted meanwhile).
 */
@Injectable()
export class BlobAccess {
  private readonly logger = new Logger(BlobAccess.name);
  private readonly sending = new Map<string, number>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records an access before the blob is opened. Eviction deletes a blob only when its access
   * time is still the one it chose it by, so a blob touched here is not evicted under the reader.
   */
  async touch(digest: string): Promise<void> {
    await this.dataSource
      .query(
        `UPDATE cache.stored_blobs SET last_access_at = now()
         WHERE digest = $1 AND last_access_at < now() - make_interval(secs => $2)`,
        [digest, TOUCH_EVERY_SECONDS],
      )
      .catch((error: unknown) => this.logger.warn({ err: error, digest }, 'could not record a blob access'));
  }

  /** Counts `body` as a read of `digest` until it closes. */
  track(digest: string, body: Readable): Readable {
    this.sending.set(digest, (this.sending.get(digest) ?? 0) + 1);
    body.once('close', () => {
      const left = (this.sending.get(digest) ?? 1) - 1;
      if (left > 0) this.sending.set(digest, left);
      else this.sending.delete(digest);
    });
    return body;
  }

  /** Whether this process is sending the blob now. */
  inUse(digest: string): boolean {
    return this.sending.has(digest);
  }
}
