import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { connect, Channel, ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerUnavailableError, errorText, UnroutableMessageError } from '../messaging.errors';
import { MESSAGING_OPTIONS, ResolvedMessagingOptions } from '../messaging.options';
import { TopologyNames } from '../topology/topology-names';
import { brokerUnreachableError, maskAmqpUrl } from './broker-address';

type Listener = () => void | Promise<void>;

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5000;

/**
 * The one broker connection of a process. Start-up fails loudly if the broker is not reachable in
 * time; once up, a lost connection is re-established forever and `onReconnect` listeners rebuild
 * what lived on it (topology, consumers, the reply consumer).
 */
@Injectable()
export class AmqpConnection implements OnModuleInit {
  private readonly logger = new Logger(AmqpConnection.name);
  private readonly names: TopologyNames;
  private model?: ChannelModel;
  private confirmChannel?: ConfirmChannel;
  private connecting?: Promise<void>;
  private closing = false;
  private readonly reconnectListeners = new Set<Listener>();
  private readonly disconnectListeners = new Set<Listener>();
  /** Mandatory messages the broker returned, by messageId, until their confirm arrives. */
  private readonly returned = new Set<string>();

  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: ResolvedMessagingOptions) {
    this.names = new TopologyNames(options);
  }

  onModuleInit(): Promise<void> {
    return this.connect();
  }

  /** Connects once (idempotent); throws a descriptive error after `connectTimeoutMs`. */
  connect(): Promise<void> {
    if (this.model) return Promise.resolve();
    this.connecting ??= this.connectUntilDeadline().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  isConnected(): boolean {
    return this.model !== undefined && this.confirmChannel !== undefined;
  }

  /** Called after every re-established connection (not the first one). */
  onReconnect(listener: Listener): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  onDisconnect(listener: Listener): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** The underlying amqplib connection (tests use it to simulate failures). */
  unwrap(): ChannelModel | undefined {
    return this.model;
  }

  /** A new channel on the current connection; its errors are logged, closing is handled by the owner. */
  async createChannel(): Promise<Channel> {
    if (!this.model) throw new BrokerUnavailableError();
    const channel = await this.model.createChannel();
    channel.on('error', (error: unknown) => this.logger.warn(`channel error: ${errorText(error)}`));
    return channel;
  }

  /**
   * Publishes on the confirm channel and resolves only once the broker confirmed the message.
   * With `mandatory` (requires a messageId) an unroutable message rejects with UnroutableMessageError.
   */
  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish = {}): Promise<void> {
    const channel = this.confirmChannel;
    if (!channel) return Promise.reject(new BrokerUnavailableError());
    const trackReturn = options.mandatory === true;
    if (trackReturn && !options.messageId) {
      return Promise.reject(new Error('a mandatory publish needs a messageId to match a returned message'));
    }
    return new Promise<void>((resolve, reject) => {
      try {
        channel.publish(exchange, routingKey, content, options, (error: unknown) => {
          // The broker sends basic.return before the confirm of the same message.
          const wasReturned = trackReturn && this.returned.delete(options.messageId as string);
          if (error) reject(error instanceof Error ? error : new Error(errorText(error)));
          else if (wasReturned) reject(new UnroutableMessageError(exchange, routingKey));
          else resolve();
        });
      } catch (error) {
        reject(error);
      }
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const model = this.model;
    this.model = undefined;
    this.confirmChannel = undefined;
    if (model) await model.close().catch(() => undefined);
  }

  private async connectUntilDeadline(): Promise<void> {
    const started = Date.now();
    let delay = 100;
    for (;;) {
      try {
        await this.open();
        return;
      } catch (error) {
        const waited = Date.now() - started;
        if (waited + delay > this.options.connectTimeoutMs) {
          throw brokerUnreachableError(this.options.amqpUrl, waited, error);
        }
        this.logger.warn(`RabbitMQ not reachable yet at ${maskAmqpUrl(this.options.amqpUrl)}: ${errorText(error)}`);
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  private async open(): Promise<void> {
    const model = await connect(this.options.amqpUrl, {
      clientProperties: { connection_name: `${this.options.service}@${this.options.instanceId}` },
      timeout: Math.min(5000, Math.max(1000, this.options.connectTimeoutMs)),
      // Nagle's algorithm holds small frames (a confirm, an ack) for ~40 ms behind delayed ACKs.
      noDelay: true,
    });
    model.on('error', (error: unknown) => this.logger.warn(`RabbitMQ connection error: ${errorText(error)}`));
    model.on('close', () => this.onConnectionLost(model));
    model.on('blocked', (reason: string) => this.logger.warn(`RabbitMQ blocked publishing: ${reason}`));
    // amqplib watches its socket for 'end' and 'error' only; a socket destroyed without an error
    // would leave channels and pending confirms hanging until heartbeats expire, so route it
    // through amqplib's own "unexpected close" teardown.
    const socket = (model.connection as unknown as { stream?: EventEmitter }).stream;
    socket?.once('close', () => {
      if (!model.connection.expectSocketClose) socket.emit('end');
    });
    try {
      const confirm = await this.openConfirmChannel(model);
      // Declared here, not by the transport, so a publisher-only process never publishes into the void.
      await confirm.assertExchange(this.names.exchange, 'topic', { durable: true });
      this.model = model;
      this.confirmChannel = confirm;
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
  }

  private async openConfirmChannel(model: ChannelModel): Promise<ConfirmChannel> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: unknown) => this.logger.warn(`publish channel error: ${errorText(error)}`));
    channel.on('return', (message: Message) => {
      if (message.properties.messageId) this.returned.add(String(message.properties.messageId));
    });
    channel.on('close', () => {
      if (this.confirmChannel !== channel) return;
      this.confirmChannel = undefined;
      // Channels close before their connection reports it: look again once that had its chance.
      setImmediate(() => {
        // Still the current connection: a channel-level error closed it, so reopen it there.
        if (this.model !== model || this.closing || model.connection.expectSocketClose) return;
        this.openConfirmChannel(model)
          .then((reopened) => {
            if (this.model === model) this.confirmChannel = reopened;
          })
          .catch((error: unknown) => this.logger.error(`cannot reopen the publish channel: ${errorText(error)}`));
      });
    });
    return channel;
  }

  private onConnectionLost(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.confirmChannel = undefined;
    this.returned.clear();
    if (this.closing) return;
    this.logger.error('RabbitMQ connection lost; reconnecting');
    for (const listener of this.disconnectListeners) void Promise.resolve(listener()).catch(() => undefined);
    void this.reconnectForever();
  }

  private async reconnectForever(): Promise<void> {
    let delay = RECONNECT_MIN_MS;
    while (!this.closing && !this.model) {
      await sleep(delay);
      if (this.closing) return;
      try {
        await this.open();
      } catch (error) {
        this.logger.warn(`RabbitMQ reconnect failed (next try in ${delay} ms): ${errorText(error)}`);
        delay = Math.min(delay * 2, RECONNECT_MAX_MS);
        continue;
      }
      this.logger.log('RabbitMQ connection re-established');
      for (const listener of this.reconnectListeners) {
        try {
          await listener();
        } catch (error) {
          this.logger.error(`after reconnect: ${errorText(error)}`);
        }
      }
    }
  }
}
