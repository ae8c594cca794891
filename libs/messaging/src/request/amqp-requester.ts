import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { CommandName, CommandReplyOf, MESSAGE_CONTRACTS, MessagingErrorCode, PayloadOf, validateAs } from '@vulnscan/contracts';
import { Correlation } from '@vulnscan/observability';
import { Channel, ConsumeMessage, Message } from 'amqplib';
import { AmqpConnection } from '../connection/amqp-connection';
import { buildEnvelope } from '../outbox/build-envelope';
import { BrokerUnavailableError, CommandFailedError, errorText, RequestTimeoutError } from '../messaging.errors';
import { MESSAGING_OPTIONS, ResolvedMessagingOptions } from '../messaging.options';
import { MessageHeaders } from '../topology/headers';
import { TopologyNames } from '../topology/topology-names';
import { activeTraceparent } from '../tracing/trace-context';
import { isCommandReply } from './reply';

export interface RequestOptions {
  tenantId?: string;
  /** Default 5000. The command also expires in the queue after this long, so it never runs late. */
  timeoutMs?: number;
  /** Defaults to the command name; e.g. the per-service key of the dead-letter replay command. */
  routingKey?: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/**
 * Request/reply over RabbitMQ direct reply-to: one long-lived channel consumes the pseudo-queue
 * (no reply queue to declare or clean up) and publishes the commands, which must happen on the
 * same channel. Replies are matched to callers by correlation id.
 */
@Injectable()
export class AmqpRequester implements OnApplicationShutdown {
  private readonly logger = new Logger(AmqpRequester.name);
  private readonly names: TopologyNames;
  private readonly pending = new Map<string, Pending>();
  private channel?: Channel;
  private opening?: Promise<Channel>;
  private closed = false;

  constructor(
    private readonly connection: AmqpConnection,
    @Inject(MESSAGING_OPTIONS) options: ResolvedMessagingOptions,
  ) {
    this.names = new TopologyNames(options);
    // Replies to the old channel's reply-to address can never arrive: fail those callers now.
    this.connection.onDisconnect(() =>
      this.failAll(MessagingErrorCode.ConnectionLost, 'RabbitMQ connection lost before the reply arrived'),
    );
    this.connection.onReconnect(() => void this.ensureChannel().catch(() => undefined));
  }

  /** The payload and the reply are both fixed by the command's contract (`PayloadOf`, `CommandReplyOf`). */
  async request<C extends CommandName>(command: C, payload: PayloadOf<C>, options: RequestOptions = {}): Promise<CommandReplyOf<C>> {
    const timeoutMs = options.timeoutMs ?? 5000;
    validateAs(MESSAGE_CONTRACTS[command] as new () => object, payload, `${command} payload`);
    const envelope = buildEnvelope(
      { type: command, payload, tenantId: options.tenantId },
      { correlation: Correlation.current(), traceparent: activeTraceparent() },
    );
    const channel = await this.ensureChannel().catch((error: unknown) => {
      throw new CommandFailedError(MessagingErrorCode.BrokerUnavailable, errorText(error));
    });
    const routingKey = options.routingKey ?? command;
    return new Promise<CommandReplyOf<C>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope.id);
        reject(new RequestTimeoutError(routingKey, timeoutMs));
      }, timeoutMs);
      this.pending.set(envelope.id, { resolve: (value) => resolve(value as CommandReplyOf<C>), reject, timer });
      try {
        channel.publish(this.names.exchange, routingKey, Buffer.from(JSON.stringify(envelope)), {
          correlationId: envelope.id,
          messageId: envelope.id,
          type: command,
          replyTo: DIRECT_REPLY_TO,
          contentType: 'application/json',
          expiration: String(timeoutMs),
          // Unroutable means nobody serves the command: fail now instead of waiting for the timeout.
          mandatory: true,
          headers: { [MessageHeaders.Deadline]: Date.parse(envelope.occurredAt) + timeoutMs },
        });
      } catch (error) {
        this.settle(envelope.id)?.reject(new CommandFailedError(MessagingErrorCode.BrokerUnavailable, errorText(error)));
      }
    });
  }

  onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.failAll(MessagingErrorCode.ShuttingDown, 'the requester is shutting down');
    const channel = this.channel;
    this.channel = undefined;
    return channel ? channel.close().catch(() => undefined) : Promise.resolve();
  }

  private ensureChannel(): Promise<Channel> {
    if (this.channel) return Promise.resolve(this.channel);
    if (this.closed) return Promise.reject(new BrokerUnavailableError('the requester is shut down'));
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<Channel> {
    const channel = await this.connection.createChannel();
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      this.failAll(MessagingErrorCode.ConnectionLost, 'the reply channel closed before the reply arrived');
    });
    channel.on('return', (message: Message) => {
      const routingKey = message.fields.routingKey;
      this.settle(String(message.properties.correlationId))?.reject(
        new CommandFailedError(MessagingErrorCode.Unroutable, `no service consumes ${routingKey} (no queue bound)`),
      );
    });
    // Consuming the pseudo-queue must precede the first publish that names it as replyTo.
    await channel.consume(DIRECT_REPLY_TO, (message) => message && this.onReply(message), { noAck: true });
    this.channel = channel;
    return channel;
  }

  private onReply(message: ConsumeMessage): void {
    const pending = this.settle(String(message.properties.correlationId));
    if (!pending) return; // Late reply of a request that already timed out.
    let reply: unknown;
    try {
      reply = JSON.parse(message.content.toString('utf8'));
    } catch {
      reply = undefined;
    }
    if (!isCommandReply(reply)) {
      pending.reject(new CommandFailedError(MessagingErrorCode.InvalidReply, 'the reply is not a command reply'));
    } else if (reply.ok) {
      pending.resolve(reply.data);
    } else {
      // The reply's legacy `status` is ignored: which HTTP status a code means is the gateway's to say.
      const { code, message, retryAfterSeconds } = reply.error;
      const retryAfter = typeof retryAfterSeconds === 'number' && retryAfterSeconds >= 0 ? Math.ceil(retryAfterSeconds) : undefined;
      pending.reject(new CommandFailedError(code, message, retryAfter));
    }
  }

  private settle(correlationId: string): Pending | undefined {
    const pending = this.pending.get(correlationId);
    if (!pending) return undefined;
    this.pending.delete(correlationId);
    clearTimeout(pending.timer);
    return pending;
  }

  private failAll(code: MessagingErrorCode, message: string): void {
    if (this.pending.size > 0) this.logger.warn(`${message}: failing ${this.pending.size} pending requests`);
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(new CommandFailedError(code, message));
  }
}
