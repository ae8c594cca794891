import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Outbox } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { type FeedSourceConfig, parseFeedSources, readFeed } from '@vulnscan/vulndb';
import { WorkerEnv } from '../env';
import { FeedImporter, type ImportResult } from './feed-importer';

/** How often a worker looks whether a periodic sync is due. */
const TICK_MS = 60_000;
/** Held for a whole sync, so of all workers one syncs at a time. */
const SYNC_LOCK = 'vulndb-sync';

/**
 * Keeps the vulnerability database in step with the feeds of VULNDB_SOURCES: at start when a feed
 * was never imported, every VULNDB_SYNC_INTERVAL_MINUTES, and on FeedSyncRequested. Whichever
 * worker claims the sync lock runs it; the others skip that round.
 */
@Injectable()
export class FeedSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FeedSync.name);
  private readonly sources: FeedSourceConfig[];
  private readonly importer: FeedImporter;
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: WorkerEnv,
    outbox: Outbox,
  ) {
    try {
      this.sources = env.VULNDB_SOURCES ? parseFeedSources(env.VULNDB_SOURCES) : [];
    } catch (err) {
      throw new Error(`VULNDB_SOURCES: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.importer = new FeedImporter(dataSource, outbox);
  }

  get configured(): readonly FeedSourceConfig[] {
    return this.sources;
  }

  onApplicationBootstrap(): void {
    if (!this.sources.length) return;
    const tick = (): void => {
      this.running ??= this.syncIfDue()
        .catch((err: unknown) => this.logger.warn({ err }, 'periodic feed sync failed'))
        .finally(() => (this.running = null));
    };
    setImmediate(tick);
    this.timer = setInterval(tick, TICK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** A sync on request (FeedSyncRequested): the named feeds, or all; waits for the lock. */
  async syncNow(feeds?: string[]): Promise<ImportResult[]> {
    const unknown = (feeds ?? []).filter((name) => !this.sources.some((source) => source.name === name));
    if (unknown.length) this.logger.warn(`sync requested for feeds that are not configured: ${unknown.join(', ')}`);
    const selected = feeds?.length ? this.sources.filter((source) => feeds.includes(source.name)) : this.sources;
    return this.withLock(true, () => this.syncAll(selected)).then((results) => results ?? []);
  }

  /** Runs the periodic sync when some feed is due, unless another worker is syncing. */
  async syncIfDue(): Promise<ImportResult[] | undefined> {
    return this.withLock(false, async () => {
      const due = await this.dueFeeds();
      return due.length ? this.syncAll(due) : undefined;
    });
  }

  private async dueFeeds(): Promise<FeedSourceConfig[]> {
    const rows = (await this.dataSource.query(`SELECT name, location, last_sync_at FROM worker.feeds`)) as {
      name: string;
      location: string;
      last_sync_at: Date | null;
    }[];
    const interval = this.env.VULNDB_SYNC_INTERVAL_MINUTES * 60_000;
    return this.sources.filter((source) => {
      const row = rows.find((r) => r.name === source.name);
      // Never synced, moved to another location, or (with periodic syncs on) older than the interval.
      if (!row?.last_sync_at || row.location !== source.location) return true;
      return interval > 0 && Date.now() - row.last_sync_at.getTime() >= interval;
    });
  }

  private async syncAll(sources: FeedSourceConfig[]): Promise<ImportResult[]> {
    const results: ImportResult[] = [];
    for (const source of sources) {
      const started = Date.now();
      try {
        const result = await this.importer.import(source, readFeed(source));
        results.push(result);
        this.logger.log({ ...result, ms: Date.now() - started }, `feed ${source.name} imported`);
      } catch (err) {
        // Recorded on the feed by the importer; the other feeds still sync.
        this.logger.warn({ err, feed: source.name }, `feed ${source.name} failed to import; its previous data is kept`);
      }
    }
    return results;
  }

  /** Runs `work` holding the session-level sync lock, waiting for it or giving up at once. */
  private async withLock<T>(wait: boolean, work: () => Promise<T>): Promise<T | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      if (wait) {
        // Poll rather than block, so a waiting request does not pin a connection in a lock wait forever.
        for (;;) {
          const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [SYNC_LOCK])) as {
            locked: boolean;
          }[];
          if (locked) break;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      } else {
        const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [SYNC_LOCK])) as {
          locked: boolean;
        }[];
        if (!locked) return undefined;
      }
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [SYNC_LOCK]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }
}
