import { Inject, Injectable } from '@nestjs/common';
import { Events, MessageEnvelope, MessagingErrorCode, TenantDeletedPayload } from '@vulnscan/contracts';
import { EntityManager } from 'typeorm';
import { CommandRejectedError } from '../messaging.errors';
import { MESSAGING_OPTIONS, ResolvedMessagingOptions } from '../messaging.options';
import { messagingTables } from '../sql';

/** What of an envelope decides whether it belongs to a deleted incarnation of its tenant. */
export type TenantMessage = Pick<MessageEnvelope, 'id'> & Partial<Pick<MessageEnvelope, 'type' | 'tenantId' | 'occurredAt'>>;

/**
 * Per (schema, tenant): recording a deletion takes it exclusively, every tenant message's check
 * shares it, so a handler that passed the check commits before the deletion removes the tenant's
 * rows, or waits and then sees the tombstone.
 */
const lockKey = (schema: string, tenantId: string) => `tenant-tombstone|${schema}|${tenantId}`;

/**
 * The service's tombstones of deleted tenants (`tenant_tombstones` in its own schema). A message
 * of a tenant that occurred before its tombstone's `quiet_until` is of the deleted incarnation:
 * published before the deletion, or caused by something that was. The gateway refuses to create
 * the id again until then, so every message of a new incarnation occurs after it.
 */
@Injectable()
export class TenantTombstones {
  private readonly schema: string;
  private readonly table: string;

  constructor(@Inject(MESSAGING_OPTIONS) options: ResolvedMessagingOptions) {
    this.schema = options.schema;
    this.table = messagingTables(options.schema).tenantTombstones;
  }

  /** Records a deletion in the caller's transaction (the one that removes the tenant's rows). A redelivery or an older deletion changes nothing. */
  async record(manager: EntityManager, deleted: TenantDeletedPayload): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey(this.schema, deleted.tenantId)]);
    await manager.query(
      `INSERT INTO ${this.table} (tenant_id, incarnation, deleted_at, quiet_until) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id) DO UPDATE SET incarnation = EXCLUDED.incarnation, deleted_at = EXCLUDED.deleted_at,
         quiet_until = EXCLUDED.quiet_until, recorded_at = now()
       WHERE ${this.table}.incarnation < EXCLUDED.incarnation`,
      [deleted.tenantId, deleted.incarnation, deleted.deletedAt, deleted.quietUntil],
    );
  }

  /**
   * Whether the message belongs to a deleted incarnation of its tenant, checked in the handler's
   * transaction. Messages without a tenant (feed updates) and TenantDeleted itself always pass.
   */
  async ofDeletedIncarnation(manager: EntityManager, message: TenantMessage): Promise<boolean> {
    if (!message.tenantId || !message.occurredAt || message.type === Events.TenantDeleted) return false;
    await manager.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [lockKey(this.schema, message.tenantId)]);
    const rows: unknown[] = await manager.query(`SELECT 1 FROM ${this.table} WHERE tenant_id = $1 AND quiet_until > $2::timestamptz`, [
      message.tenantId,
      message.occurredAt,
    ]);
    return rows.length > 0;
  }

  /**
   * For a command that creates rows of its tenant (commands have no inbox): refuses it, in the
   * transaction that would write them, when it was sent to a deleted incarnation, so a command in
   * flight during the deletion cannot leave a row behind that a re-created id would inherit.
   */
  async refuseForDeletedIncarnation(manager: EntityManager, command: TenantMessage): Promise<void> {
    if (await this.ofDeletedIncarnation(manager, command)) {
      throw new CommandRejectedError(MessagingErrorCode.TenantDeleted, `tenant ${command.tenantId} was deleted`);
    }
  }
}
