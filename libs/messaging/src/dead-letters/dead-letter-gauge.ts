import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { MESSAGING_OPTIONS, ResolvedMessagingOptions } from '../messaging.options';
import { messagingTables } from '../sql';

const NAME = 'vulnscan_dead_letters';

/** Counting stops here: past it the number only says "a lot", and the count stays cheap. */
export const DEAD_LETTER_COUNT_CAP = 100_000;

/** A scrape waits this long for the count, then reports the previous value. */
const READ_TIMEOUT_MS = 1000;

/** A count still running after this long (a connection that went silent) is given up for a new one. */
const STUCK_MS = 30_000;

/** One per messaging module in the process (one in a service, several in some tests). */
const sources = new Set<DeadLetterGauge>();

function deadLetterGauge(): Gauge<'service'> {
  const existing = register.getSingleMetric(NAME) as Gauge<'service'> | undefined;
  if (existing) return existing;
  return new Gauge({
    name: NAME,
    help: `Dead-lettered messages not replayed yet, in this service's dead_letters table (counted up to ${DEAD_LETTER_COUNT_CAP})`,
    labelNames: ['service'],
    // Read at scrape time; a database that is away leaves the last value and never fails the scrape.
    async collect() {
      await Promise.all([...sources].map((source) => source.refresh(this)));
    },
  });
}

/**
 * `vulnscan_dead_letters{service}` for the service this messaging module belongs to: the parking
 * queue's consumer writes every dead letter to `<schema>.dead_letters`, so the table is the depth.
 */
@Injectable()
export class DeadLetterGauge implements OnModuleInit, OnModuleDestroy {
  private readonly table: string;
  private pending?: { since: number; count: Promise<number | undefined> };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_OPTIONS) private readonly options: ResolvedMessagingOptions,
  ) {
    this.table = messagingTables(options.schema).deadLetters;
  }

  onModuleInit(): void {
    deadLetterGauge();
    sources.add(this);
  }

  onModuleDestroy(): void {
    sources.delete(this);
  }

  async refresh(gauge: Gauge<'service'>): Promise<void> {
    // Concurrent scrapes share one query; a slow one is not started again until it ends (or is stuck).
    if (!this.pending || Date.now() - this.pending.since > STUCK_MS) {
      const pending = { since: Date.now(), count: this.count() };
      void pending.count.finally(() => {
        if (this.pending === pending) this.pending = undefined;
      });
      this.pending = pending;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), READ_TIMEOUT_MS)));
    const count = await Promise.race([this.pending.count, timeout]).finally(() => clearTimeout(timer));
    if (count !== undefined) gauge.set({ service: this.options.service }, count);
  }

  private async count(): Promise<number | undefined> {
    if (!this.dataSource.isInitialized) return undefined;
    try {
      const [row] = (await this.dataSource.query(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${this.table} WHERE replayed_at IS NULL LIMIT ${DEAD_LETTER_COUNT_CAP}) parked`,
      )) as { n: number }[];
      return row.n;
    } catch {
      return undefined;
    }
  }
}
