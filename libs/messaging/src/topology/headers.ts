import { ConsumeMessage, MessageProperties, Options } from 'amqplib';

/** Header names the lib puts on messages. Operators see them in the broker UI and in dead_letters. */
export const MessageHeaders = {
  /** 1-based number of the delivery attempt this message is on its way to. */
  Attempt: 'x-attempt',
  /** The routing key a retried or replayed message was first published with (its dispatch key). */
  OriginalRoutingKey: 'x-original-routing-key',
  FirstFailedAt: 'x-first-failed-at',
  LastError: 'x-last-error',
  /** Epoch milliseconds after which a command is no longer worth running (its caller gave up). */
  Deadline: 'x-deadline',
  ReplayedFrom: 'x-replayed-from',
  DeadLetterId: 'x-dead-letter-id',
  DeadLetterReason: 'x-dead-letter-reason',
  DeadLetterError: 'x-dead-letter-error',
  SourceQueue: 'x-source-queue',
  Attempts: 'x-attempts',
} as const;

export type DeadLetterReason = 'no_handler' | 'invalid_payload' | 'non_retryable' | 'max_attempts' | 'failed';

/** Headers that describe one trip through retry or dead-lettering; a replay starts without them. */
const TRIP_HEADERS = new Set<string>([
  MessageHeaders.Attempt,
  MessageHeaders.FirstFailedAt,
  MessageHeaders.LastError,
  MessageHeaders.DeadLetterId,
  MessageHeaders.DeadLetterReason,
  MessageHeaders.DeadLetterError,
  MessageHeaders.SourceQueue,
  MessageHeaders.Attempts,
  MessageHeaders.ReplayedFrom,
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-delivery-count',
]);

export type HeaderTable = Record<string, unknown>;

export function headersOf(message: { properties: MessageProperties }): HeaderTable {
  return (message.properties.headers ?? {}) as HeaderTable;
}

/** The message's own headers without the bookkeeping of previous retries or dead-lettering. */
export function ownHeaders(headers: HeaderTable): HeaderTable {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !TRIP_HEADERS.has(name)));
}

export function headerString(headers: HeaderTable, name: string): string | undefined {
  const value = headers[name];
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function headerNumber(headers: HeaderTable, name: string): number | undefined {
  const value = headers[name];
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * Messages come back from a retry queue (or a replay) through the default exchange, addressed to
 * the queue itself; only then do our retry headers describe this message's history. A message the
 * broker dead-lettered to a topic routing key keeps old headers but must not be dispatched by them.
 */
export function cameBackDirectly(message: ConsumeMessage): boolean {
  return message.fields.exchange === '';
}

/** The routing key that selects the handler. */
export function dispatchKey(message: ConsumeMessage): string {
  const original = headerString(headersOf(message), MessageHeaders.OriginalRoutingKey);
  return cameBackDirectly(message) && original ? original : message.fields.routingKey;
}

/** The 1-based attempt this delivery is. */
export function attemptOf(message: ConsumeMessage): number {
  if (!cameBackDirectly(message)) return 1;
  return Math.max(1, Math.floor(headerNumber(headersOf(message), MessageHeaders.Attempt) ?? 1));
}

/** Properties worth keeping when a message is republished (retry, dead letter, replay). */
export function carriedProperties(properties: MessageProperties): Options.Publish {
  const carried: Options.Publish = { deliveryMode: 2 };
  if (properties.messageId) carried.messageId = String(properties.messageId);
  if (properties.type) carried.type = String(properties.type);
  if (properties.contentType) carried.contentType = String(properties.contentType);
  if (properties.correlationId) carried.correlationId = String(properties.correlationId);
  if (properties.appId) carried.appId = String(properties.appId);
  if (typeof properties.timestamp === 'number') carried.timestamp = properties.timestamp;
  return carried;
}

export function truncate(text: string, max = 2000): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Header tables may hold Buffers, bigints and nested tables; this makes them JSON-safe for jsonb. */
export function jsonSafe(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, jsonSafe(inner)]));
  }
  return value;
}
