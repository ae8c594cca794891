import { DataSource } from 'typeorm';
import { MessagingTables } from '../sql';

/**
 * Deletes published outbox rows and inbox rows past the retention period. The transaction-scoped
 * advisory lock makes one replica do it while the others skip this round.
 */
export async function pruneMessagingTables(
  dataSource: DataSource,
  tables: MessagingTables,
  retentionHours: number,
): Promise<{ outbox: number; inbox: number } | undefined> {
  return dataSource.transaction(async (manager) => {
    const [{ locked }]: Array<{ locked: boolean }> = await manager.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [
      `${tables.outbox}:prune`,
    ]);
    if (!locked) return undefined;
    const [, outbox]: [unknown, number] = await manager.query(
      `DELETE FROM ${tables.outbox} WHERE published_at < now() - make_interval(hours => $1)`,
      [retentionHours],
    );
    const [, inbox]: [unknown, number] = await manager.query(
      `DELETE FROM ${tables.inbox} WHERE received_at < now() - make_interval(hours => $1)`,
      [retentionHours],
    );
    return { outbox, inbox };
  });
}
