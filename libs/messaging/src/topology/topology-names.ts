import { Commands } from '@vulnscan/contracts';
import { ResolvedMessagingOptions } from '../messaging.options';

/** Every exchange and queue name the lib uses, derived from the prefix and the service. */
export class TopologyNames {
  readonly exchange: string;
  readonly serviceQueue: string;
  readonly commandsQueue: string;
  readonly deadLetterQueue: string;
  /** Routing key of this service's built-in dead-letter replay command. */
  readonly replayRoutingKey: string;

  constructor(private readonly options: Pick<ResolvedMessagingOptions, 'prefix' | 'service'>) {
    const { prefix, service } = options;
    this.exchange = `${prefix}.events`;
    this.serviceQueue = `${prefix}.${service}`;
    this.commandsQueue = `${prefix}.${service}.commands`;
    this.deadLetterQueue = `${prefix}.${service}.dlq`;
    this.replayRoutingKey = deadLetterReplayRoutingKey(service);
  }

  /** A shared work queue: prefixed but not scoped to the service (competing consumers). */
  workQueue(name: string): string {
    return `${this.options.prefix}.${name}`;
  }

  /**
   * Retry queues dead-letter back to one fixed queue, so each source queue needs its own set.
   * The service queue keeps the short `<prefix>.<service>.retry.<n>` names.
   */
  retryQueue(sourceQueue: string, level: number): string {
    const base = `${this.options.prefix}.${this.options.service}`;
    if (sourceQueue === this.serviceQueue) return `${base}.retry.${level}`;
    const suffix = sourceQueue.startsWith(`${this.options.prefix}.`) ? sourceQueue.slice(this.options.prefix.length + 1) : sourceQueue;
    return `${base}.${suffix}.retry.${level}`;
  }
}

/** The routing key that reaches one service's replay command (the gateway addresses services by name). */
export function deadLetterReplayRoutingKey(service: string): string {
  return `${Commands.ReplayDeadLetter}.${service}`;
}
