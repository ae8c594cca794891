import { Logger } from '@nestjs/common';
import { Channel, ConsumeMessage } from 'amqplib';
import { AmqpConnection } from '../connection/amqp-connection';
import { errorText } from '../messaging.errors';

const CHANNEL_RESTART_MS = 1000;

/**
 * One consumer on one queue, on its own channel so each queue has its own prefetch. `start()` is
 * idempotent: after a lost connection the transport calls it again for every consumer; a channel
 * closed by a channel-level error (connection still up) restarts itself.
 */
export class QueueConsumer {
  private readonly logger = new Logger(QueueConsumer.name);
  private channel?: Channel;
  private consumerTag?: string;
  private starting?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly connection: AmqpConnection,
    readonly queue: string,
    private readonly prefetch: number,
    private readonly onMessage: (message: ConsumeMessage, channel: Channel) => void,
  ) {}

  start(): Promise<void> {
    if (this.stopped || this.channel) return Promise.resolve();
    this.starting ??= this.open().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Stops deliveries; messages already delivered can still be acked on the open channel. */
  async cancel(): Promise<void> {
    this.stopped = true;
    await this.starting?.catch(() => undefined);
    const { channel, consumerTag } = this;
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
  }

  /** Closes the channel; the broker requeues whatever is still unacked. */
  async close(): Promise<void> {
    this.stopped = true;
    const channel = this.channel;
    this.channel = undefined;
    if (channel) await channel.close().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const channel = await this.connection.createChannel();
    try {
      await channel.prefetch(this.prefetch);
      channel.on('close', () => this.closed(channel));
      const { consumerTag } = await channel.consume(this.queue, (message) => {
        if (message) this.onMessage(message, channel);
        // null: the broker cancelled us (queue deleted); the channel-close path restarts us.
        else void channel.close().catch(() => undefined);
      });
      if (this.stopped) {
        await channel.close().catch(() => undefined);
        return;
      }
      this.channel = channel;
      this.consumerTag = consumerTag;
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  private closed(channel: Channel): void {
    if (this.channel !== channel) return;
    this.channel = undefined;
    this.consumerTag = undefined;
    if (this.stopped) return;
    const timer = setTimeout(() => {
      // A lost connection is handled by the reconnect path, which restarts every consumer.
      if (this.stopped || !this.connection.isConnected()) return;
      this.start().catch((error: unknown) => this.logger.error(`cannot restart consumer on ${this.queue}: ${errorText(error)}`));
    }, CHANNEL_RESTART_MS);
    timer.unref();
  }
}
