import { CommandErrorCode } from '@vulnscan/contracts';

/**
 * Thrown by a handler when retrying cannot help (e.g. the message refers to something that can
 * never exist): the message goes to the dead-letter queue at once instead of being retried.
 */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

/**
 * Thrown by a command handler to answer with a clean business error (the requester receives it as
 * a CommandFailedError with the same code); never retried, never dead-lettered. The owner says
 * what went wrong, not which HTTP status that is: the gateway maps codes to statuses in one table.
 */
export class CommandRejectedError extends Error {
  /** When asking again makes sense, in seconds (the gateway's Retry-After). */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: CommandErrorCode,
    message: string,
    options: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'CommandRejectedError';
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** What the requester throws when the command handler answered `{ ok: false }` (or could not be reached). */
export class CommandFailedError extends Error {
  constructor(
    /** A CommandErrorCode, or a code of a newer owner this build does not know yet. */
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'CommandFailedError';
  }
}

/** No reply arrived in time; the command itself expires in the queue, so it will not run later. */
export class RequestTimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply to ${command} within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** The broker confirmed a mandatory message it could not route to any queue. */
export class UnroutableMessageError extends Error {
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
  ) {
    super(`no queue is bound to routing key ${JSON.stringify(routingKey)} on exchange ${JSON.stringify(exchange || '(default)')}`);
    this.name = 'UnroutableMessageError';
  }
}

/** The broker connection is down at the moment; callers retry later (the outbox relay does). */
export class BrokerUnavailableError extends Error {
  constructor(message = 'RabbitMQ connection is not available') {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}
