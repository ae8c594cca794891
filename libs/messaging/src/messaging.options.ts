import { hostname } from 'node:os';

/** A shared work queue (competing consumers), e.g. the scan-jobs queue of all scanner-workers. */
export interface QueueSpec {
  /** Queue name without prefix; the queue is `<prefix>.<name>`, NOT scoped to the service. */
  name: string;
  /** Routing keys bound to the queue even when this service has no handler on it (a producer declares it too). */
  routingKeys: string[];
  /** Broker redeliveries (crashed consumers) before the broker gives up on a message. */
  deliveryLimit?: number;
  /** Where a message past its delivery limit goes: this routing key on `<prefix>.events`. */
  deadLetterRoutingKey?: string;
  /** Concurrent deliveries per process on this queue (defaults to the service prefetch). */
  prefetch?: number;
}

export interface MessagingOptions {
  /** The service name, e.g. 'scan-scheduler'; names its queues. */
  service: string;
  /** The service's Postgres schema holding outbox, inbox and dead_letters. */
  schema: string;
  amqpUrl: string;
  /** Every exchange and queue name starts with it, so parallel test runs stay isolated. */
  prefix?: string;
  /** Connection string for the dedicated LISTEN connection of the outbox relay. */
  databaseUrl: string;
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  prefetch?: number;
  /** Fallback poll of the outbox in case a notification was missed. */
  outboxPollMs?: number;
  /** Published outbox rows and inbox rows older than this are pruned. */
  retentionHours?: number;
  connectTimeoutMs?: number;
  /** How long close() waits for in-flight handlers before closing channels. */
  drainTimeoutMs?: number;
  queues?: QueueSpec[];
  /** Names this process in the broker's connection list: `<service>@<instanceId>` (default `<hostname>:<pid>`). */
  instanceId?: string;
  /** Run the outbox relay in this process (default true; tests turn it off to simulate a stopped relay). */
  relayEnabled?: boolean;
}

export type ResolvedMessagingOptions = Required<Omit<MessagingOptions, 'queues'>> & { queues: QueueSpec[] };

/** Injection token of the resolved options. */
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** Schema names are interpolated into SQL, so only plain lowercase identifiers are accepted. */
export function assertSchemaName(schema: string): string {
  if (!IDENTIFIER.test(schema) || schema.length > 48) {
    throw new Error(`messaging: schema ${JSON.stringify(schema)} must match ${IDENTIFIER} (max 48 characters)`);
  }
  return schema;
}

function assertName(what: string, value: string): void {
  if (!NAME.test(value)) {
    throw new Error(`messaging: ${what} ${JSON.stringify(value)} must match ${NAME}`);
  }
}

function positive(what: string, value: number, min = 1): number {
  if (!Number.isFinite(value) || value < min) {
    throw new Error(`messaging: ${what} must be a number >= ${min}, got ${value}`);
  }
  return value;
}

export function resolveMessagingOptions(options: MessagingOptions): ResolvedMessagingOptions {
  const resolved: ResolvedMessagingOptions = {
    service: options.service,
    schema: options.schema,
    amqpUrl: options.amqpUrl,
    databaseUrl: options.databaseUrl,
    instanceId: options.instanceId ?? `${hostname()}:${process.pid}`,
    prefix: options.prefix ?? 'vulnscan',
    maxAttempts: options.maxAttempts ?? 5,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
    retryMaxDelayMs: options.retryMaxDelayMs ?? 60_000,
    prefetch: options.prefetch ?? 20,
    outboxPollMs: options.outboxPollMs ?? 1000,
    retentionHours: options.retentionHours ?? 168,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    drainTimeoutMs: options.drainTimeoutMs ?? 15_000,
    relayEnabled: options.relayEnabled ?? true,
    queues: options.queues ?? [],
  };
  assertName('service', resolved.service);
  assertName('prefix', resolved.prefix);
  assertSchemaName(resolved.schema);
  positive('maxAttempts', resolved.maxAttempts);
  positive('retryBaseDelayMs', resolved.retryBaseDelayMs);
  positive('retryMaxDelayMs', resolved.retryMaxDelayMs, resolved.retryBaseDelayMs);
  positive('prefetch', resolved.prefetch);
  positive('outboxPollMs', resolved.outboxPollMs, 10);
  positive('retentionHours', resolved.retentionHours);
  positive('connectTimeoutMs', resolved.connectTimeoutMs, 0);
  positive('drainTimeoutMs', resolved.drainTimeoutMs, 0);
  for (const queue of resolved.queues) {
    assertName('queue name', queue.name);
    if (queue.deliveryLimit !== undefined) positive(`queue ${queue.name} deliveryLimit`, queue.deliveryLimit);
    if (queue.prefetch !== undefined) positive(`queue ${queue.name} prefetch`, queue.prefetch);
  }
  return resolved;
}
