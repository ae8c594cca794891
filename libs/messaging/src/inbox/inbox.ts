import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { MESSAGING_OPTIONS, ResolvedMessagingOptions } from '../messaging.options';
import { messagingTables, MessagingTables } from '../sql';
import { TenantMessage, TenantTombstones } from '../tenants/tenant-tombstones';

export interface InboxResult<T> {
  duplicate: boolean;
  /** The message is of a deleted incarnation of its tenant: recorded as handled, `fn` not run. */
  dropped?: boolean;
  result?: T;
}

/**
 * Makes a consumer idempotent: the inbox row and the handler's effects commit in one transaction,
 * so a redelivered message (after a crash before the ack) is recognised and skipped.
 */
@Injectable()
export class Inbox {
  private readonly tables: MessagingTables;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_OPTIONS) options: ResolvedMessagingOptions,
    private readonly tombstones: TenantTombstones,
  ) {
    this.tables = messagingTables(options.schema);
  }

  /** Whether `consumer` already handled the message (a cheap early exit before expensive work). */
  async seen(consumer: string, messageId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM ${this.tables.inbox} WHERE consumer = $1 AND message_id = $2`, [
      consumer,
      messageId,
    ]);
    return rows.length > 0;
  }

  /**
   * Runs `fn` once per (consumer, message id). A concurrent duplicate waits on the primary key
   * until the first transaction ends, then either sees the row (duplicate) or takes over. A message
   * of a deleted tenant's incarnation is dropped here, for every consumer (see TenantTombstones).
   */
  runOnce<T>(consumer: string, envelope: TenantMessage, fn: (manager: EntityManager) => Promise<T>): Promise<InboxResult<T>> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO ${this.tables.inbox} (consumer, message_id, received_at) VALUES ($1, $2, now())
         ON CONFLICT DO NOTHING RETURNING 1`,
        [consumer, envelope.id],
      );
      if (inserted.length === 0) return { duplicate: true };
      if (await this.tombstones.ofDeletedIncarnation(manager, envelope)) return { duplicate: false, dropped: true };
      return { duplicate: false, result: await fn(manager) };
    });
  }
}
