import { Logger } from '@nestjs/common';
import { InvalidMessageError, isKnownWireName, MessageEnvelope, MessagingErrorCode, parseMessage } from '@vulnscan/contracts';
import { backoffDelayMs } from '@vulnscan/backoff';
import { Correlation, Metrics } from '@vulnscan/observability';
import { Channel, ConsumeMessage } from 'amqplib';
import { v7 as uuidv7 } from 'uuid';
import { AmqpConnection } from '../connection/amqp-connection';
import { CommandRejectedError, errorText, NonRetryableError } from '../messaging.errors';
import { ResolvedMessagingOptions } from '../messaging.options';
import { CommandReply } from '../request/reply';
import {
  attemptOf,
  carriedProperties,
  DeadLetterReason,
  dispatchKey,
  headerNumber,
  headersOf,
  headerString,
  MessageHeaders,
  ownHeaders,
  truncate,
} from '../topology/headers';
import { TopologyNames } from '../topology/topology-names';
import { withConsumerSpan } from '../tracing/trace-context';
import { AmqpContext } from './amqp-context';
import { Route } from './routes';

/** A delivery whose outcome could not be recorded on the broker is handed back after this pause. */
const REQUEUE_DELAY_MS = 1000;

interface Delivery {
  channel: Channel;
  message: ConsumeMessage;
  queue: string;
  key: string;
  attempt: number;
}

/**
 * Decides what happens to one delivery: validate, run the handler in its correlation and trace
 * context, then ack, retry with backoff, dead-letter or reply. The ack always comes last, after
 * the handler (which commits its own transaction) and after any republish was confirmed.
 */
export class DeliveryProcessor {
  private readonly logger = new Logger('AmqpTransport');

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ResolvedMessagingOptions,
    private readonly names: TopologyNames,
    private readonly routes: Map<string, Route>,
    private readonly retriedQueues: Set<string>,
  ) {}

  async process(queue: string, channel: Channel, message: ConsumeMessage): Promise<void> {
    const delivery: Delivery = { channel, message, queue, key: dispatchKey(message), attempt: attemptOf(message) };
    const isRequest = Boolean(message.properties.replyTo);
    const route = this.routes.get(delivery.key);
    if (!route) {
      const text = `${this.options.service} has no handler for ${delivery.key}`;
      if (isRequest) return this.answer(delivery, failure(MessagingErrorCode.NoHandler, text, 501));
      return this.deadLetter(delivery, 'no_handler', text);
    }
    let envelope: MessageEnvelope;
    try {
      envelope = parseMessage(route.contract, message.content);
    } catch (error) {
      if (isRequest) return this.answer(delivery, failure('invalid_payload', errorText(error), 400));
      return this.deadLetter(delivery, 'invalid_payload', errorText(error));
    }
    return isRequest ? this.handleRequest(delivery, route, envelope) : this.handleEvent(delivery, route, envelope);
  }

  private async handleEvent(delivery: Delivery, route: Route, envelope: MessageEnvelope): Promise<void> {
    // Retries and replays would report their deliberate delay as latency.
    if (delivery.attempt === 1 && headerString(headersOf(delivery.message), MessageHeaders.ReplayedFrom) === undefined) {
      Metrics.eventLatency().observe({ type: delivery.key }, Math.max(0, Date.now() - Date.parse(envelope.occurredAt)) / 1000);
    }
    try {
      await this.run(delivery, route, envelope);
    } catch (error) {
      Metrics.messagesFailed().inc({ type: delivery.key });
      if (error instanceof InvalidMessageError) return this.deadLetter(delivery, 'invalid_payload', errorText(error));
      if (error instanceof NonRetryableError || error instanceof CommandRejectedError) {
        return this.deadLetter(delivery, 'non_retryable', errorText(error));
      }
      if (!this.retriedQueues.has(delivery.queue)) return this.deadLetter(delivery, 'failed', errorText(error));
      if (delivery.attempt >= this.options.maxAttempts) return this.deadLetter(delivery, 'max_attempts', errorText(error));
      return this.retry(delivery, error);
    }
    Metrics.messagesHandled().inc({ type: delivery.key });
    this.ack(delivery);
  }

  /** Commands are never retried: the caller is waiting, and gives up after its timeout. */
  private async handleRequest(delivery: Delivery, route: Route, envelope: MessageEnvelope): Promise<void> {
    const deadline = this.deadlineOf(delivery.message, envelope);
    if (deadline !== undefined && Date.now() > deadline) {
      this.logger.warn(`skipping expired ${delivery.key} ${envelope.id} (deadline ${new Date(deadline).toISOString()})`);
      Metrics.messagesFailed().inc({ type: delivery.key });
      return this.ack(delivery);
    }
    let reply: CommandReply;
    try {
      reply = { ok: true, data: await this.run(delivery, route, envelope) };
      Metrics.messagesHandled().inc({ type: delivery.key });
    } catch (error) {
      Metrics.messagesFailed().inc({ type: delivery.key });
      reply = this.failureOf(error, envelope);
    }
    return this.answer(delivery, reply);
  }

  private run(delivery: Delivery, route: Route, envelope: MessageEnvelope): Promise<unknown> {
    const context = new AmqpContext([delivery.message, delivery.queue, delivery.attempt]);
    const attributes = {
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': delivery.queue,
      'messaging.message.id': envelope.id,
      'messaging.attempt': delivery.attempt,
    };
    return withConsumerSpan(delivery.key, envelope.traceparent, attributes, () =>
      Correlation.run({ correlationId: envelope.correlationId, causationId: envelope.id, tenantId: envelope.tenantId }, () =>
        route.invoke(envelope, context),
      ),
    );
  }

  private async retry(delivery: Delivery, error: unknown): Promise<void> {
    const { message } = delivery;
    const headers = headersOf(message);
    const level = delivery.attempt;
    // Full jitter within the level's ceiling: the retry queue's head may hold a later expiry, so a
    // message can wait behind it, but never past that level's ceiling.
    const delay = backoffDelayMs(level, { baseMs: this.options.retryBaseDelayMs, capMs: this.options.retryMaxDelayMs });
    this.logger.warn(`${delivery.key} attempt ${delivery.attempt} failed, retrying in ${delay} ms: ${errorText(error)}`);
    await this.republish(
      delivery,
      '',
      this.names.retryQueue(delivery.queue, level),
      {
        ...ownHeaders(headers),
        [MessageHeaders.Attempt]: delivery.attempt + 1,
        [MessageHeaders.OriginalRoutingKey]: delivery.key,
        [MessageHeaders.FirstFailedAt]: headerString(headers, MessageHeaders.FirstFailedAt) ?? new Date().toISOString(),
        [MessageHeaders.LastError]: truncate(errorText(error)),
      },
      String(delay),
    );
  }

  private async deadLetter(delivery: Delivery, reason: DeadLetterReason, error: string): Promise<void> {
    this.logger.error(`dead-lettering ${delivery.key} from ${delivery.queue} (${reason}, attempt ${delivery.attempt}): ${error}`);
    const headers = headersOf(delivery.message);
    const firstFailedAt = headerString(headers, MessageHeaders.FirstFailedAt);
    const published = await this.republish(delivery, '', this.names.deadLetterQueue, {
      ...ownHeaders(headers),
      ...(firstFailedAt ? { [MessageHeaders.FirstFailedAt]: firstFailedAt } : {}),
      [MessageHeaders.DeadLetterId]: uuidv7(),
      [MessageHeaders.DeadLetterReason]: reason,
      [MessageHeaders.DeadLetterError]: truncate(error),
      [MessageHeaders.SourceQueue]: delivery.queue,
      [MessageHeaders.Attempts]: delivery.attempt,
      [MessageHeaders.OriginalRoutingKey]: delivery.key,
    });
    if (published) Metrics.messagesDeadLettered().inc({ type: metricType(delivery.key), reason });
  }

  /** Publishes a copy (confirmed) and only then acks the original; on failure the broker gets it back. */
  private async republish(
    delivery: Delivery,
    exchange: string,
    routingKey: string,
    headers: Record<string, unknown>,
    expiration?: string,
  ): Promise<boolean> {
    try {
      const properties = { ...carriedProperties(delivery.message.properties), headers };
      await this.connection.publish(
        exchange,
        routingKey,
        delivery.message.content,
        expiration ? { ...properties, expiration } : properties,
      );
    } catch (error) {
      this.logger.error(`cannot move ${delivery.key} to ${routingKey}, handing it back to the broker: ${errorText(error)}`);
      this.requeueLater(delivery);
      return false;
    }
    this.ack(delivery);
    return true;
  }

  private async answer(delivery: Delivery, reply: CommandReply): Promise<void> {
    const { replyTo, correlationId } = delivery.message.properties;
    try {
      await this.connection.publish('', String(replyTo), Buffer.from(JSON.stringify(reply)), {
        correlationId,
        contentType: 'application/json',
      });
    } catch (error) {
      // The caller times out; re-running the command for it would be worse.
      this.logger.warn(`cannot reply to ${delivery.key}: ${errorText(error)}`);
    }
    this.ack(delivery);
  }

  private failureOf(error: unknown, envelope: MessageEnvelope): CommandReply {
    if (error instanceof CommandRejectedError) return failure(error.code, error.message, 400, error.retryAfterSeconds);
    if (error instanceof InvalidMessageError) return failure(MessagingErrorCode.InvalidPayload, error.message, 400);
    this.logger.error(
      `command ${envelope.type} ${envelope.id} failed: ${errorText(error)}`,
      error instanceof Error ? error.stack : undefined,
    );
    return failure(MessagingErrorCode.Internal, `internal error in ${this.options.service} (correlation ${envelope.correlationId})`, 500);
  }

  /** `x-deadline` (epoch ms) when the requester set one, else occurredAt plus the message's expiration. */
  private deadlineOf(message: ConsumeMessage, envelope: MessageEnvelope): number | undefined {
    const explicit = headerNumber(headersOf(message), MessageHeaders.Deadline);
    if (explicit !== undefined) return explicit;
    const expiration = Number(message.properties.expiration);
    const occurred = Date.parse(envelope.occurredAt);
    return Number.isFinite(expiration) && Number.isFinite(occurred) ? occurred + expiration : undefined;
  }

  /** An ack on a channel that died with its connection is meaningless: the broker redelivers, the inbox dedupes. */
  private ack({ channel, message }: Delivery): void {
    try {
      channel.ack(message);
    } catch {
      this.logger.debug?.('ack on a closed channel ignored; the broker redelivers the message');
    }
  }

  private requeueLater({ channel, message }: Delivery): void {
    const timer = setTimeout(() => {
      try {
        channel.nack(message, false, true);
      } catch {
        // Channel gone: the broker already requeued it.
      }
    }, REQUEUE_DELAY_MS);
    timer.unref();
  }
}

/** A routing key from a header is untrusted input; unknown ones share one label so metrics stay bounded. */
function metricType(key: string): string {
  return isKnownWireName(key) ? key : 'unknown';
}

/** `legacyStatus` only serves gateways older than the code-to-status table (see CommandReplyError); a rejection sends 400. */
function failure(code: string, message: string, legacyStatus: number, retryAfterSeconds?: number): CommandReply {
  return { ok: false, error: { code, message, status: legacyStatus, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) } };
}
