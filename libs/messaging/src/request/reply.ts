/** The body of a reply to a command (request/reply over direct reply-to). */
export type CommandReply<T = unknown> = { ok: true; data: T } | { ok: false; error: CommandReplyError };

export interface CommandReplyError {
  code: string;
  message: string;
  /**
   * Deprecated, kept on the wire for gateways older than the code-to-status table, which answered
   * with it: 400 for a rejection or an invalid payload, 500 for an internal error. Nobody reads it now.
   */
  status?: number;
  retryAfterSeconds?: number;
}

export function isCommandReply(value: unknown): value is CommandReply {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return true;
  if (value.ok !== false || !('error' in value)) return false;
  const error = value.error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}
