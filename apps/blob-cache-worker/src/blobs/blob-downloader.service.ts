import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { backoffDelayMs } from '@vulnscan/backoff';
import { ScanError } from '@vulnscan/contracts';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { BlobCacheEnv } from '../env';
import { returning } from '../sql';
import { Upstreams } from '../upstreams/upstreams.service';
import { BlobFlights, BlobSource } from './blob-flights.service';

interface ClaimedBlob {
  source: string;
  digest: string;
  size: string;
  attempts: number;
}

/** How the active set names one source's blob. */
const keyOf = (blob: Pick<ClaimedBlob, 'source' | 'digest' | 'size'>) => `${blob.source}\n${blob.digest}\n${blob.size}`;

/** The longest a failed download waits before its next attempt. */
const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Background downloads of pending blobs, each from the upstream of its source (the one that must
 * prove it). The backlog lives in Postgres: a process claims blobs
 * with a lease (FOR UPDATE SKIP LOCKED, so replicas never claim the same one), renews it while
 * downloading and gives it back on shutdown; a crashed process's claims expire and are taken
 * again. Failures are retried with exponential backoff up to CACHE_DOWNLOAD_MAX_ATTEMPTS.
 */
@Injectable()
export class BlobDownloader implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BlobDownloader.name);
  private readonly owner: string;
  private readonly active = new Set<string>();
  private filling: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: BlobCacheEnv,
    private readonly upstreams: Upstreams,
    private readonly flights: BlobFlights,
  ) {
    // Unique per process start, so a restarted process never mistakes old claims for its own.
    this.owner = `${env.INSTANCE_ID ?? `${hostname()}:${process.pid}`}/${randomBytes(4).toString('hex')}`;
  }

  onApplicationBootstrap(): void {
    if (this.env.CACHE_DOWNLOAD_CONCURRENCY === 0) return;
    const renewEvery = (this.env.CACHE_DOWNLOAD_LEASE_SECONDS * 1000) / 3;
    this.timers = [setInterval(() => this.wake(), this.env.CACHE_DOWNLOAD_POLL_MS), setInterval(() => void this.renewLeases(), renewEvery)];
    for (const timer of this.timers) timer.unref();
    this.wake();
  }

  /** Gives unfinished claims back so another process (or this one, restarted) takes them at once. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.filling;
    await this.dataSource
      .query(
        `UPDATE cache.cached_blobs SET lease_owner = NULL, lease_until = NULL, attempts = greatest(attempts - 1, 0)
         WHERE lease_owner = $1 AND placed_at IS NULL`,
        [this.owner],
      )
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not release download claims; they expire on their own'));
  }

  /** Claims more work if there is room; coalesces wake-ups (new manifests call it). */
  wake(): void {
    if (this.stopped || this.env.CACHE_DOWNLOAD_CONCURRENCY === 0) return;
    if (this.filling) {
      this.again = true;
      return;
    }
    this.filling = this.fill()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'claiming blob downloads failed; will retry on the next poll'))
      .finally(() => {
        this.filling = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async fill(): Promise<void> {
    const room = this.env.CACHE_DOWNLOAD_CONCURRENCY - this.active.size;
    if (room <= 0 || this.stopped) return;
    const claimed = await returning<ClaimedBlob>(
      this.dataSource,
      `UPDATE cache.cached_blobs SET lease_owner = $1, lease_until = now() + make_interval(secs => $2), attempts = attempts + 1
       WHERE (source, digest, size) IN (
         SELECT source, digest, size FROM cache.cached_blobs
         WHERE state = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
         ORDER BY next_attempt_at
         LIMIT $3
         FOR UPDATE SKIP LOCKED)
       RETURNING source, digest, size, attempts`,
      [this.owner, this.env.CACHE_DOWNLOAD_LEASE_SECONDS, room],
    );
    for (const blob of claimed) {
      this.active.add(keyOf(blob));
      void this.download(blob).finally(() => {
        this.active.delete(keyOf(blob));
        this.wake();
      });
    }
  }

  private async download(blob: ClaimedBlob): Promise<void> {
    try {
      const source = await this.sourceFor(blob);
      await this.flights.join({ digest: blob.digest, size: Number(blob.size) }, source).done;
    } catch (error) {
      await this.failed(blob, error);
    }
  }

  /** The blob's source upstream, with a repository whose cached manifest names it; attempts rotate through them. */
  private async sourceFor(blob: ClaimedBlob): Promise<BlobSource> {
    // A tenant's upstream deleted since is no source any more.
    const upstream = await this.upstreams.byBlobSource(blob.source);
    if (!upstream) throw new Error(`the upstream of ${blob.source} is no longer configured or registered`);
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT m.repository FROM cache.manifest_blobs mb
       JOIN cache.cached_manifests m ON m.id = mb.manifest_id
       WHERE mb.digest = $1 AND mb.size = $2 AND m.blob_source = $3 ORDER BY m.repository LIMIT 20`,
      [blob.digest, blob.size, blob.source],
    )) as { repository: string }[];
    if (rows.length === 0) throw new Error(`no manifest cached through ${blob.source} names this blob`);
    return { upstream, repository: rows[(blob.attempts - 1) % rows.length]!.repository };
  }

  private async failed(blob: ClaimedBlob, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const retryAfter = error instanceof ScanError ? error.retryAfterSeconds : undefined;
    // The upstream's Retry-After is a floor however long: a download has no deadline to weigh it against.
    const delayMs = backoffDelayMs(
      blob.attempts,
      { baseMs: this.env.CACHE_DOWNLOAD_RETRY_SECONDS * 1000, capMs: MAX_RETRY_DELAY_MS },
      retryAfter === undefined ? undefined : retryAfter * 1000,
    );
    const giveUp = blob.attempts >= this.env.CACHE_DOWNLOAD_MAX_ATTEMPTS;
    this.logger.warn({ digest: blob.digest, attempt: blob.attempts, giveUp }, `blob download failed: ${message}`);
    await this.dataSource
      .query(
        `UPDATE cache.cached_blobs SET lease_owner = NULL, lease_until = NULL, last_error = $3,
           state = CASE WHEN $4 THEN 'failed' ELSE 'pending' END, next_attempt_at = now() + make_interval(secs => $5)
         WHERE source = $6 AND digest = $1 AND size = $7 AND lease_owner = $2 AND placed_at IS NULL`,
        [blob.digest, this.owner, message.slice(0, 2000), giveUp, delayMs / 1000, blob.source, blob.size],
      )
      .catch((dbError: unknown) =>
        this.logger.warn({ err: dbError, digest: blob.digest }, 'could not record a failed download; its lease expires'),
      );
  }

  private async renewLeases(): Promise<void> {
    if (this.active.size === 0) return;
    await this.dataSource
      .query(
        `UPDATE cache.cached_blobs SET lease_until = now() + make_interval(secs => $2)
         WHERE lease_owner = $1 AND source || E'\\n' || digest || E'\\n' || size = ANY($3::text[])`,
        [this.owner, this.env.CACHE_DOWNLOAD_LEASE_SECONDS, [...this.active]],
      )
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not renew download leases'));
  }
}
