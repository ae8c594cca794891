import { Inject, Injectable } from '@nestjs/common';
import { EventName, InvalidMessageError, MESSAGE_CONTRACTS, MessageEnvelope, PayloadOf, validateAs } from '@vulnscan/contracts';
import { Correlation } from '@vulnscan/observability';
import { EntityManager } from 'typeorm';
import { MESSAGING_OPTIONS, ResolvedMessagingOptions } from '../messaging.options';
import { messagingTables, MessagingTables } from '../sql';
import { activeTraceparent } from '../tracing/trace-context';
import { AnyMessageDraft, buildEnvelope, MessageDraft } from './build-envelope';
import { unstorableField } from './unstorable-field';

/** Any event the outbox may record, each payload typed by its own wire name. */
export type OutboxMessage = AnyMessageDraft<EventName>;

/** PostgreSQL caps a statement at 65535 bind parameters; three per row leaves ample headroom. */
const ROWS_PER_INSERT = 1000;

/**
 * Records events in the caller's transaction; the relay publishes them after commit. An event
 * whose transaction rolls back is never published.
 */
@Injectable()
export class Outbox {
  private readonly tables: MessagingTables;

  constructor(@Inject(MESSAGING_OPTIONS) options: ResolvedMessagingOptions) {
    this.tables = messagingTables(options.schema);
  }

  async add<N extends EventName>(manager: EntityManager, message: MessageDraft<N>): Promise<MessageEnvelope<PayloadOf<N>>> {
    // MessageDraft<N> is one member of the OutboxMessage union; TypeScript cannot see that for a type parameter.
    const [envelope] = await this.addMany(manager, [message as OutboxMessage]);
    return envelope as MessageEnvelope<PayloadOf<N>>;
  }

  async addMany(manager: EntityManager, messages: OutboxMessage[]): Promise<MessageEnvelope[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      // Outside a transaction the event would commit on its own, detached from the state change.
      throw new Error('Outbox.add needs the EntityManager of an open transaction (dataSource.transaction(manager => ...))');
    }
    const correlation = Correlation.current();
    const traceparent = activeTraceparent();
    const envelopes = messages.map((message) => {
      // A producer bug surfaces here, rolling back its transaction, instead of poisoning consumers.
      validateAs(MESSAGE_CONTRACTS[message.type] as new () => object, message.payload, `${message.type} payload`);
      // Postgres jsonb refuses these; as a typed error (not a failed query) the producer can tell it from a database outage.
      const unstorable = unstorableField(message.payload);
      if (unstorable) throw new InvalidMessageError(`${message.type} payload: ${unstorable} holds NUL or a lone surrogate`);
      return buildEnvelope(message, { correlation, traceparent });
    });
    for (let start = 0; start < envelopes.length; start += ROWS_PER_INSERT) {
      const chunk = envelopes.slice(start, start + ROWS_PER_INSERT);
      const values = chunk.map((_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}::jsonb)`).join(', ');
      const params = chunk.flatMap((envelope) => [envelope.id, envelope.type, JSON.stringify(envelope)]);
      await manager.query(`INSERT INTO ${this.tables.outbox} (id, type, envelope) VALUES ${values}`, params);
    }
    return envelopes;
  }
}
