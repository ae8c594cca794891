import { Channel } from 'amqplib';
import { ResolvedMessagingOptions } from '../messaging.options';
import { TopologyNames } from './topology-names';

export interface QueueDeclaration {
  name: string;
  arguments: Record<string, string | number>;
  bindings: string[];
  /** Set when this process consumes the queue. */
  prefetch?: number;
  /** Failures are retried through this queue's own retry queues. */
  retried: boolean;
}

/** Declares (idempotently) every queue of the plan, its bindings and the retry queues it needs. */
export async function declareTopology(
  channel: Channel,
  queues: QueueDeclaration[],
  names: TopologyNames,
  options: Pick<ResolvedMessagingOptions, 'maxAttempts'>,
): Promise<void> {
  await channel.assertExchange(names.exchange, 'topic', { durable: true });
  for (const queue of queues) {
    await channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments });
    for (const key of queue.bindings) await channel.bindQueue(queue.name, names.exchange, key);
    if (!queue.retried) continue;
    for (let level = 1; level < options.maxAttempts; level += 1) {
      // Classic queues: per-message TTL (the backoff) and dead-lettering back to the source queue.
      await channel.assertQueue(names.retryQueue(queue.name, level), {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue.name },
      });
    }
  }
}
