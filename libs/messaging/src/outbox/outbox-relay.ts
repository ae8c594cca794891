import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Metrics } from '@vulnscan/observability';
import { DataSource } from 'typeorm';
import { AmqpConnection } from '../connection/amqp-connection';
import { errorText } from '../messaging.errors';
import { MESSAGING_OPTIONS, ResolvedMessagingOptions } from '../messaging.options';
import { messagingTables, MessagingTables } from '../sql';
import { TopologyNames } from '../topology/topology-names';
import { PostgresListener } from '../connection/postgres-listener';
import { pruneMessagingTables } from './retention';

const BATCH_SIZE = 200;
const GAUGE_INTERVAL_MS = 1000;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

interface OutboxRow {
  id: string;
  type: string;
  correlation_id: string | null;
  body: string;
}

/**
 * Publishes committed outbox rows. Woken by the insert trigger's NOTIFY (a fallback poll covers
 * missed notifications), it claims rows with SKIP LOCKED so replicas share the work, and marks them
 * published only after the broker confirmed every message of the batch.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly tables: MessagingTables;
  private readonly names: TopologyNames;
  private readonly listener: PostgresListener;
  private draining?: Promise<void>;
  private drainAgain = false;
  private running = false;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe?: () => void;
  private lastError?: string;
  private gaugesUpdatedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly connection: AmqpConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: ResolvedMessagingOptions,
  ) {
    this.tables = messagingTables(options.schema);
    this.names = new TopologyNames(options);
    this.listener = new PostgresListener(
      options.databaseUrl,
      this.tables.notifyChannel,
      () => this.wake(),
      () => this.wake(),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.relayEnabled) await this.start();
  }

  /** Idempotent; the module stops the relay earlier, in order, while the database is still open. */
  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.connection.onReconnect(() => this.wake());
    this.timers = [setInterval(() => this.wake(), this.options.outboxPollMs), setInterval(() => void this.prune(), PRUNE_INTERVAL_MS)];
    this.timers.forEach((timer) => timer.unref());
    await this.listener.start();
    this.wake();
  }

  /** Stops listening and polling, then publishes what is still pending. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timers.forEach((timer) => clearInterval(timer));
    this.unsubscribe?.();
    await this.listener.stop();
    // Bounded: with the broker gone a publish may wait for its confirm until heartbeats notice.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.drainTimeoutMs)));
    await Promise.race([this.flush(), timeout]);
    clearTimeout(timer);
  }

  /** Publishes everything committed so far (as far as the broker lets us). */
  flush(): Promise<void> {
    return this.drain();
  }

  /** Drains are coalesced: a wake-up during a drain makes it run once more, never in parallel. */
  drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.drainLoop().finally(() => (this.draining = undefined));
    return this.draining;
  }

  async prune(): Promise<void> {
    try {
      await pruneMessagingTables(this.dataSource, this.tables, this.options.retentionHours);
    } catch (error) {
      this.logger.warn(`pruning outbox/inbox failed: ${errorText(error)}`);
    }
  }

  private wake(): void {
    void this.drain();
  }

  private async drainLoop(): Promise<void> {
    do {
      this.drainAgain = false;
      while (await this.publishBatch()) {
        // A full batch means more rows are probably waiting.
      }
    } while (this.drainAgain);
    await this.updateGauges();
  }

  private async publishBatch(): Promise<boolean> {
    if (!this.connection.isConnected()) return false;
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      const rows: OutboxRow[] = await runner.query(
        `SELECT id, type, envelope->>'correlationId' AS correlation_id, envelope::text AS body
           FROM ${this.tables.outbox} WHERE published_at IS NULL
           ORDER BY id LIMIT ${BATCH_SIZE} FOR UPDATE SKIP LOCKED`,
      );
      if (rows.length === 0) {
        await runner.commitTransaction();
        return false;
      }
      await Promise.all(rows.map((row) => this.publish(row)));
      await runner.query(`UPDATE ${this.tables.outbox} SET published_at = now() WHERE id = ANY($1::uuid[])`, [rows.map((row) => row.id)]);
      await runner.commitTransaction();
      for (const row of rows) Metrics.messagesPublished().inc({ type: row.type });
      this.lastError = undefined;
      return rows.length === BATCH_SIZE;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      this.logFailure(error);
      return false;
    } finally {
      await runner.release();
    }
  }

  private publish(row: OutboxRow): Promise<void> {
    return this.connection.publish(this.names.exchange, row.type, Buffer.from(row.body), {
      deliveryMode: 2,
      messageId: row.id,
      type: row.type,
      contentType: 'application/json',
      correlationId: row.correlation_id ?? undefined,
      appId: this.options.service,
    });
  }

  private async updateGauges(): Promise<void> {
    if (Date.now() - this.gaugesUpdatedAt < GAUGE_INTERVAL_MS) return;
    this.gaugesUpdatedAt = Date.now();
    try {
      const [stats]: Array<{ pending: number; lag: number }> = await this.dataSource.query(
        `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS lag
           FROM ${this.tables.outbox} WHERE published_at IS NULL`,
      );
      Metrics.outboxPending().set({ schema: this.options.schema }, stats.pending);
      Metrics.outboxLagSeconds().set({ schema: this.options.schema }, stats.lag);
    } catch (error) {
      this.logFailure(error);
    }
  }

  /** The same failure (broker down) repeats every poll; log it once until something changes. */
  private logFailure(error: unknown): void {
    const text = errorText(error);
    if (text === this.lastError) return;
    this.lastError = text;
    this.logger.warn(`outbox relay: ${text} (rows stay pending and are retried)`);
  }
}
