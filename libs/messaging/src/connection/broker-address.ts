/** The AMQP URL with its password masked, safe for logs and error messages. */
export function maskAmqpUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

function osError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(osError).join('; ');
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** The start-up error an operator sees when the broker is not there: where, why, and how to fix it. */
export function brokerUnreachableError(url: string, waitedMs: number, cause: unknown): Error {
  return new Error(
    `RabbitMQ is unreachable at ${maskAmqpUrl(url)} (gave up after ${waitedMs} ms): ${osError(cause)}. ` +
      'Start it with `rabbitmq-server -detached` (or `docker compose up -d rabbitmq`), ' +
      'or point the AMQP URL setting at a running broker.',
    { cause },
  );
}
