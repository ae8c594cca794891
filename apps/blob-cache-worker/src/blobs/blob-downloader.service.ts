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
import { BlobPlacement } from './blob-placement';

interface ClaimedBlob {
  digest: string;
  size: string;
  attempts: number;
}

/** The longest a failed download waits before its next attempt. */
const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Background downloads of pending blobs. The backlog lives in Postgres: a process claims blobs
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
    private readonly placement: BlobPlacement,
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
       WHERE digest IN (
         SELECT digest FROM cache.cached_blobs
         WHERE state = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
         ORDER BY next_attempt_at
         LIMIT $3
         FOR UPDATE SKIP LOCKED)
       RETURNING digest, size, attempts`,
      [this.owner, this.env.CACHE_DOWNLOAD_LEASE_SECONDS, room],
    );
    for (const blob of claimed) {
      this.active.add(blob.digest);
      void this.download(blob).finally(() => {
        this.active.delete(blob.digest);
        this.wake();
      });
    }
  }

  private async download(blob: ClaimedBlob): Promise<void> {
    try {
      const source = await this.sourceFor(blob);
      const flight = await this.flights.join({ digest: blob.digest, size: Number(blob.size) }, source);
      // No flight: the store holds it already (a client pull placed it, or a crash left it unrecorded).
      if (flight) await flight.done;
      else await this.placement.place(blob.digest);
    } catch (error) {
      await this.failed(blob, error);
    }
  }

  /** An (upstream, repository) whose cached manifest names the blob; attempts rotate through them. */
  private async sourceFor(blob: ClaimedBlob): Promise<BlobSource> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT m.scope, m.upstream, m.repository FROM cache.manifest_blobs mb
       JOIN cache.cached_manifests m ON m.id = mb.manifest_id
       WHERE mb.digest = $1 ORDER BY m.scope, m.upstream, m.repository LIMIT 20`,
      [blob.digest],
    )) as { scope: string; upstream: string; repository: string }[];
    const usable: BlobSource[] = [];
    for (const row of rows) {
      // A tenant's upstream deleted since is no source any more.
      const upstream = await this.upstreams.byScope(row.scope, row.upstream);
      if (upstream) usable.push({ upstream, repository: row.repository });
    }
    if (usable.length === 0) throw new Error('no manifest of a configured or registered upstream names this blob');
    return usable[(blob.attempts - 1) % usable.length]!;
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
         WHERE digest = $1 AND lease_owner = $2 AND placed_at IS NULL`,
        [blob.digest, this.owner, message.slice(0, 2000), giveUp, delayMs / 1000],
      )
      .catch((dbError: unknown) =>
        this.logger.warn({ err: dbError, digest: blob.digest }, 'could not record a failed download; its lease expires'),
      );
  }

  private async renewLeases(): Promise<void> {
    if (this.active.size === 0) return;
    await this.dataSource
      .query(
        `UPDATE cache.cached_blobs SET lease_until = now() + make_interval(secs => $2) WHERE lease_owner = $1 AND digest = ANY($3::text[])`,
        [this.owner, this.env.CACHE_DOWNLOAD_LEASE_SECONDS, [...this.active]],
      )
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not renew download leases'));
  }
}
