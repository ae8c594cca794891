import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { CommandReplyOf, Commands, MessageEnvelope, MessagingErrorCode, ReplayDeadLetterCommand } from '@vulnscan/contracts';
import { Channel, ConsumeMessage } from 'amqplib';
import { AmqpConnection } from '../connection/amqp-connection';
import { DeadLetters } from '../dead-letters/dead-letters';
import { CommandRejectedError, errorText } from '../messaging.errors';
import { MESSAGING_OPTIONS, ResolvedMessagingOptions } from '../messaging.options';
import { declareTopology } from '../topology/declare-topology';
import { TopologyNames } from '../topology/topology-names';
import { AmqpContext } from './amqp-context';
import { DeliveryProcessor } from './delivery-processor';
import { exposeHandlerErrors } from './handler-errors';
import { planTransport, Route, TransportPlan } from './routes';
import { QueueConsumer } from './queue-consumer';

export type AmqpTransportStatus = 'connected' | 'disconnected';
export type AmqpTransportEvents = {
  connect: () => void;
  disconnect: () => void;
};

const SETUP_RETRY_MS = 2000;

/**
 * The Nest microservice strategy: handlers are plain `@EventPattern(wireName, { queue? })` and
 * `@MessagePattern(commandName)` methods receiving the validated envelope as `@Payload()`.
 */
@Injectable()
export class AmqpTransport extends Server<AmqpTransportEvents, AmqpTransportStatus> implements CustomTransportStrategy {
  /** Our own id, so handlers pinned to another transport (`@EventPattern(p, Transport.TCP)`) are left to it. */
  override transportId = Symbol('vulnscan-amqp');
  protected override readonly logger = new Logger(AmqpTransport.name);
  private readonly names: TopologyNames;
  private plan?: TransportPlan;
  private consumers: QueueConsumer[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private unsubscribe: Array<() => void> = [];
  private closing?: Promise<void>;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly deadLetters: DeadLetters,
    @Inject(MESSAGING_OPTIONS) private readonly options: ResolvedMessagingOptions,
    modules: ModulesContainer,
  ) {
    super();
    this.names = new TopologyNames(options);
    exposeHandlerErrors(modules);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
    } catch (error) {
      callback(error);
      return;
    }
    callback();
  }

  /** Drains: stop deliveries, let in-flight handlers finish (up to drainTimeoutMs), close channels. */
  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  on<K extends keyof AmqpTransportEvents>(event: K, callback: AmqpTransportEvents[K]): void {
    this.unsubscribe.push(event === 'connect' ? this.connection.onReconnect(callback) : this.connection.onDisconnect(callback));
  }

  unwrap<T>(): T {
    return this.connection.unwrap() as T;
  }

  /** Messages being handled right now (readiness and tests look at it). */
  inflightCount(): number {
    return this.inflight.size;
  }

  private async start(): Promise<void> {
    await this.connection.connect();
    const handlers = this.getHandlers() as Map<string, MessageHandler<MessageEnvelope, AmqpContext, unknown>>;
    const plan = planTransport(handlers, [this.replayRoute()], this.options, this.names);
    this.plan = plan;
    const retried = new Set(plan.queues.filter((queue) => queue.retried).map((queue) => queue.name));
    const processor = new DeliveryProcessor(this.connection, this.options, this.names, plan.routes, retried);
    this.consumers = plan.queues
      .filter((queue) => queue.prefetch !== undefined)
      .map((queue) => {
        const onMessage =
          queue.name === this.names.deadLetterQueue
            ? (message: ConsumeMessage, channel: Channel) => this.track(this.recordDeadLetter(channel, message))
            : (message: ConsumeMessage, channel: Channel) => this.track(processor.process(queue.name, channel, message));
        return new QueueConsumer(this.connection, queue.name, queue.prefetch as number, onMessage);
      });
    await this.setup();
    this.unsubscribe.push(
      this.connection.onReconnect(() => this.setupUntilDone()),
      this.connection.onDisconnect(() => this._status$.next('disconnected')),
    );
    this.logger.log(`consuming ${this.consumers.map((c) => c.queue).join(', ')}`);
  }

  private async setup(): Promise<void> {
    if (!this.plan) return;
    const channel = await this.connection.createChannel();
    try {
      await declareTopology(channel, this.plan.queues, this.names, this.options);
    } finally {
      await channel.close().catch(() => undefined);
    }
    await Promise.all(this.consumers.map((consumer) => consumer.start()));
    this._status$.next('connected');
  }

  /** After a reconnect the topology may be gone (a broker reset); keep trying while connected. */
  private async setupUntilDone(): Promise<void> {
    while (!this.closing && this.connection.isConnected()) {
      try {
        await this.setup();
        return;
      } catch (error) {
        // Lost again meanwhile: the next reconnect runs this again.
        if (!this.connection.isConnected()) return;
        this.logger.error(`re-declaring topology / restarting consumers failed: ${errorText(error)}`);
        await new Promise((resolve) => setTimeout(resolve, SETUP_RETRY_MS).unref());
      }
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.logger.error(`unexpected delivery failure: ${errorText(error)}`));
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  private async drain(): Promise<void> {
    this.unsubscribe.forEach((unsubscribe) => unsubscribe());
    await Promise.all(this.consumers.map((consumer) => consumer.cancel()));
    if (this.inflight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.options.drainTimeoutMs)));
      const outcome = await Promise.race([Promise.allSettled([...this.inflight]), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.logger.warn(
          `${this.inflight.size} handlers still running after ${this.options.drainTimeoutMs} ms; their messages return to the queue`,
        );
      }
    }
    await Promise.all(this.consumers.map((consumer) => consumer.close()));
    this._status$.next('disconnected');
  }

  /** The parking queue's consumer: a message is acked only once its dead_letters row is committed. */
  private async recordDeadLetter(channel: Channel, message: ConsumeMessage): Promise<void> {
    try {
      await this.deadLetters.record(message);
    } catch (error) {
      this.logger.error(`cannot record a dead letter, retrying: ${errorText(error)}`);
      setTimeout(() => {
        try {
          channel.nack(message, false, true);
        } catch {
          // Channel gone: the broker requeued it already.
        }
      }, 1000).unref();
      return;
    }
    try {
      channel.ack(message);
    } catch {
      // Channel gone: the redelivery is deduplicated by the dead letter id.
    }
  }

  private replayRoute(): Route {
    return {
      routingKey: this.names.replayRoutingKey,
      contract: Commands.ReplayDeadLetter,
      kind: 'command',
      queue: this.names.commandsQueue,
      invoke: async (envelope: MessageEnvelope): Promise<CommandReplyOf<typeof Commands.ReplayDeadLetter>> => {
        // The transport validated the payload against this route's contract before invoking it.
        const { deadLetterId } = envelope.payload as ReplayDeadLetterCommand;
        if (!(await this.deadLetters.replay(deadLetterId))) {
          throw new CommandRejectedError(
            MessagingErrorCode.DeadLetterNotFound,
            `dead letter ${deadLetterId} not found in ${this.options.service}`,
          );
        }
        return { replayed: true };
      },
    };
  }
}
