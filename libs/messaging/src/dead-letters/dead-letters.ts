import { Inject, Injectable } from '@nestjs/common';
import { ConsumeMessage } from 'amqplib';
import { DataSource } from 'typeorm';
import { validate as isUuid, v7 as uuidv7 } from 'uuid';
import { keysetCursor } from '@vulnscan/persistence';
import { AmqpConnection } from '../connection/amqp-connection';
import { MESSAGING_OPTIONS, ResolvedMessagingOptions } from '../messaging.options';
import { messagingTables, MessagingTables } from '../sql';
import { HeaderTable, headerNumber, headersOf, headerString, jsonSafe, MessageHeaders, ownHeaders } from '../topology/headers';

export interface DeadLetter {
  id: string;
  sourceQueue: string;
  routingKey: string;
  messageId: string | null;
  body: string;
  headers: HeaderTable;
  reason: string;
  error: string | null;
  attempts: number;
  deadLetteredAt: Date;
  replayedAt: Date | null;
}

export interface DeadLetterPage<T extends DeadLetter = DeadLetter> {
  items: T[];
  /** Pass back to get the next (older) page; absent on the last page. */
  nextCursor?: string;
}

export interface DeadLetterQuery {
  limit: number;
  cursor?: string;
}

interface DeadLetterRow {
  id: string;
  source_queue: string;
  routing_key: string;
  message_id: string | null;
  body: string;
  headers: HeaderTable;
  reason: string;
  error: string | null;
  attempts: number;
  dead_lettered_at: Date;
  replayed_at: Date | null;
  schema?: string;
}

const COLUMNS = 'id, source_queue, routing_key, message_id, body, headers, reason, error, attempts, dead_lettered_at, replayed_at';
const MAX_PAGE = 500;
/** Dead letters page on their UUIDv7 id (creation order), newest first. */
const DEAD_LETTER_CURSOR = keysetCursor(['uuid']);

/** Dead-lettered messages of this service: recorded from the parking queue, listed and replayed by operators. */
@Injectable()
export class DeadLetters {
  private readonly tables: MessagingTables;

  constructor(
    private readonly dataSource: DataSource,
    private readonly connection: AmqpConnection,
    @Inject(MESSAGING_OPTIONS) options: ResolvedMessagingOptions,
  ) {
    this.tables = messagingTables(options.schema);
  }

  list(query: DeadLetterQuery): Promise<DeadLetterPage> {
    return readPage(this.dataSource, [this.tables.deadLetters], query, (row) => toDeadLetter(row));
  }

  /** Dead letters of several services in one page (the gateway's admin API); read-only. */
  static readAll(
    dataSource: DataSource,
    schemas: string[],
    query: DeadLetterQuery,
  ): Promise<DeadLetterPage<DeadLetter & { schema: string }>> {
    const tables = schemas.map((schema) => messagingTables(schema));
    return readPage(
      dataSource,
      tables.map((t) => t.deadLetters),
      query,
      (row, index) => ({ ...toDeadLetter(row), schema: schemas[index] }),
    );
  }

  /** Stores one message from the parking queue; the id from its header makes a redelivery harmless. */
  async record(message: ConsumeMessage): Promise<void> {
    const headers = headersOf(message);
    const death = firstDeath(headers);
    const headerId = headerString(headers, MessageHeaders.DeadLetterId);
    const id = headerId && isUuid(headerId) ? headerId : uuidv7();
    await this.dataSource.query(
      `INSERT INTO ${this.tables.deadLetters}
         (id, source_queue, routing_key, message_id, body, headers, reason, error, attempts, dead_lettered_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, now()) ON CONFLICT (id) DO NOTHING`,
      [
        id,
        headerString(headers, MessageHeaders.SourceQueue) ?? death.queue ?? 'unknown',
        headerString(headers, MessageHeaders.OriginalRoutingKey) ?? death.routingKey ?? message.fields.routingKey,
        message.properties.messageId ? String(message.properties.messageId) : null,
        message.content.toString('utf8'),
        JSON.stringify(jsonSafe(headers)),
        headerString(headers, MessageHeaders.DeadLetterReason) ?? death.reason ?? 'unknown',
        headerString(headers, MessageHeaders.DeadLetterError) ?? null,
        Math.floor(headerNumber(headers, MessageHeaders.Attempts) ?? death.count ?? 0),
      ],
    );
  }

  /**
   * Sends the stored message back to the queue it failed in, as a fresh first attempt. Returns
   * false when there is no such dead letter. Fails (UnroutableMessageError) if that queue is gone.
   */
  async replay(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.dataSource.transaction(async (manager) => {
      const [row]: DeadLetterRow[] = await manager.query(`SELECT ${COLUMNS} FROM ${this.tables.deadLetters} WHERE id = $1 FOR UPDATE`, [
        id,
      ]);
      if (!row) return false;
      const headers: HeaderTable = {
        ...ownHeaders(row.headers),
        [MessageHeaders.OriginalRoutingKey]: row.routing_key,
        [MessageHeaders.ReplayedFrom]: row.id,
      };
      await this.connection.publish('', row.source_queue, Buffer.from(row.body, 'utf8'), {
        deliveryMode: 2,
        mandatory: true,
        messageId: row.message_id ?? row.id,
        contentType: 'application/json',
        headers,
      });
      await manager.query(`UPDATE ${this.tables.deadLetters} SET replayed_at = now() WHERE id = $1`, [row.id]);
      return true;
    });
  }
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    sourceQueue: row.source_queue,
    routingKey: row.routing_key,
    messageId: row.message_id,
    body: row.body,
    headers: row.headers,
    reason: row.reason,
    error: row.error,
    attempts: row.attempts,
    deadLetteredAt: row.dead_lettered_at,
    replayedAt: row.replayed_at,
  };
}

async function readPage<T extends DeadLetter>(
  dataSource: DataSource,
  tables: string[],
  query: DeadLetterQuery,
  map: (row: DeadLetterRow, tableIndex: number) => T,
): Promise<DeadLetterPage<T>> {
  const limit = Math.min(Math.max(1, Math.floor(query.limit)), MAX_PAGE);
  const after = query.cursor ? DEAD_LETTER_CURSOR.decode(query.cursor)[0] : null;
  // Each branch is limited on its own so every table is read through its primary key, newest first.
  const branches = tables.map(
    (table, index) =>
      `(SELECT ${COLUMNS}, ${index} AS source FROM ${table} WHERE ($1::uuid IS NULL OR id < $1::uuid) ORDER BY id DESC LIMIT $2)`,
  );
  const rows: Array<DeadLetterRow & { source: number }> = await dataSource.query(
    `SELECT * FROM (${branches.join(' UNION ALL ')}) AS dead_letters ORDER BY id DESC LIMIT $2`,
    [after, limit + 1],
  );
  const page = rows.slice(0, limit);
  return {
    items: page.map((row) => map(row, row.source)),
    nextCursor: rows.length > limit ? DEAD_LETTER_CURSOR.encode([page[page.length - 1].id]) : undefined,
  };
}

interface Death {
  queue?: string;
  routingKey?: string;
  reason?: string;
  count?: number;
}

/** What the broker itself says about a message it dead-lettered (delivery limit of a quorum queue). */
function firstDeath(headers: HeaderTable): Death {
  const deaths = headers['x-death'];
  if (!Array.isArray(deaths) || deaths.length === 0) return {};
  const death = deaths[0] as Record<string, unknown>;
  const keys = death['routing-keys'];
  return {
    queue: typeof death.queue === 'string' ? death.queue : undefined,
    routingKey: Array.isArray(keys) && typeof keys[0] === 'string' ? keys[0] : undefined,
    reason: typeof death.reason === 'string' ? death.reason : undefined,
    count: typeof death.count === 'number' ? death.count : undefined,
  };
}
