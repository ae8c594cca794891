import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { BlobCacheEnv } from '../env';
import { CacheMetrics } from '../metrics';
import { returning } from '../sql';
import { BlobAccess } from './blob-access';
import { BlobFlights } from './blob-flights.service';
import { BLOB_STORE, BlobStore } from './blob-store';

/** How often storage is checked against CACHE_MAX_BYTES besides after each placement. */
const CHECK_EVERY_MS = 10_000;
/** Eviction candidates looked at per round. */
const BATCH = 200;

interface Candidate {
  digest: string;
  size: string;
  /** As Postgres prints it, microseconds and all, so comparing it again is exact. */
  last_access_at: string;
}

/**
 * Keeps storage under CACHE_MAX_BYTES: least recently used blobs first, never one this process
 * is sending or downloading, one read or placed within CACHE_EVICTION_GRACE_SECONDS (another
 * replica may be sending it), or one an incomplete manifest needs whose source proved it already
 * (its scan waits for the rest). A manifest whose source has not proved the blob does not pin it:
 * otherwise naming a digest in a manifest that never completes would keep any blob forever. An evicted blob loses its file and every source's proof of it; the next pull
 * that needs it fetches it again. One replica evicts at a time (an advisory lock).
 */
@Injectable()
export class BlobEviction implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BlobEviction.name);
  private readonly evicted = CacheMetrics.evictedBytes();
  private running: Promise<void> | null = null;
  private again = false;
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: BlobCacheEnv,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly access: BlobAccess,
    private readonly flights: BlobFlights,
  ) {}

  onApplicationBootstrap(): void {
    if (this.env.CACHE_MAX_BYTES === 0) return;
    this.flights.onPlaced(() => this.wake());
    this.timer = setInterval(() => this.wake(), CHECK_EVERY_MS);
    this.timer.unref();
    this.wake();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Checks storage soon (a placement calls it); coalesces. */
  wake(): void {
    if (this.env.CACHE_MAX_BYTES === 0) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.evict()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'eviction failed; it runs again on the next check'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Evicts until storage is under the limit; the bytes still over it when nothing more may go. */
  async evict(): Promise<number> {
    const limit = this.env.CACHE_MAX_BYTES;
    return this.dataSource.transaction(async (manager) => {
      const [lock] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('blob-cache:eviction'), 0) AS locked`)) as {
        locked: boolean;
      }[];
      if (!lock?.locked) return 0; // another replica is at it
      let used = await this.usedBytes();
      if (used <= limit) return 0;
      const candidates = (await manager.query(
        `SELECT s.digest, s.size, s.last_access_at::text AS last_access_at FROM cache.stored_blobs s
         WHERE s.last_access_at < now() - make_interval(secs => $1)
           AND NOT EXISTS (
             SELECT 1 FROM cache.manifest_blobs mb
             JOIN cache.cached_manifests m ON m.id = mb.manifest_id
             JOIN cache.cached_blobs b ON b.source = m.blob_source AND b.digest = mb.digest AND b.size = mb.size
             WHERE mb.digest = s.digest AND m.completed_at IS NULL AND b.placed_at IS NOT NULL)
         ORDER BY s.last_access_at, s.digest LIMIT $2`,
        [this.env.CACHE_EVICTION_GRACE_SECONDS, BATCH],
      )) as Candidate[];
      for (const candidate of candidates) {
        if (used <= limit) break;
        if (this.access.inUse(candidate.digest) || this.flights.downloading(candidate.digest)) continue;
        if (await this.evictOne(candidate)) used -= Number(candidate.size);
      }
      if (used > limit) {
        this.logger.warn({ used, limit }, 'storage stays over CACHE_MAX_BYTES: every other blob is in use or still needed');
      }
      return Math.max(0, used - limit);
    });
  }

  /**
   * Forgets the blob (only if nobody touched it since it was chosen) and its proofs in one
   * transaction, then removes the file: a reader that looks afterwards finds it unproven and
   * fetches it again instead of opening a file about to go.
   */
  private async evictOne(candidate: Candidate): Promise<boolean> {
    const removed = await this.dataSource.transaction(async (manager) => {
      const [row] = await returning<{ digest: string }>(
        manager,
        `DELETE FROM cache.stored_blobs WHERE digest = $1 AND last_access_at = $2::timestamptz RETURNING digest`,
        [candidate.digest, candidate.last_access_at],
      );
      if (!row) return false;
      await manager.query(
        `UPDATE cache.cached_blobs SET state = 'evicted', placed_at = NULL, attempts = 0
         WHERE digest = $1 AND state = 'placed'`,
        [candidate.digest],
      );
      return true;
    });
    if (!removed) return false;
    await this.store.remove(candidate.digest);
    this.evicted.inc(Number(candidate.size));
    this.logger.log({ digest: candidate.digest, size: Number(candidate.size) }, 'blob evicted');
    return true;
  }

  private async usedBytes(): Promise<number> {
    const [row] = (await this.dataSource.query(`SELECT coalesce(sum(size), 0)::text AS used FROM cache.stored_blobs`)) as {
      used: string;
    }[];
    return Number(row?.used ?? 0);
  }
}
