/** Masks the password of a connection URL before it reaches a log line. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

function errorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object') {
    const { code, errors } = error as { code?: unknown; errors?: unknown };
    if (typeof code === 'string') return code;
    if (Array.isArray(errors) && errors.length > 0) return errorCode(errors[0]);
  }
  return undefined;
}

/** The start-up message a user needs when Postgres is not there. */
export function describePostgresError(error: unknown, url: string): string {
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EAI_AGAIN') {
    return (
      `PostgreSQL is not reachable at ${redactUrl(url)} (${code}). ` +
      'Start it (Debian: `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`; ' +
      'with Docker: `docker compose up -d postgres`) or set DATABASE_URL.'
    );
  }
  return `PostgreSQL at ${redactUrl(url)} refused the connection: ${detail}`;
}
