import { isIP } from 'node:net';

export interface HostPort {
  /** Lowercase host name or bare IP address (no brackets). */
  readonly host: string;
  readonly port?: number;
}

/** Splits `host`, `host:port`, `[v6]:port` or a bare IPv6 address; undefined when malformed. */
export function splitHostPort(value: string): HostPort | undefined {
  const trimmed = value.trim().toLowerCase();
  if (trimmed.startsWith('[')) {
    const close = trimmed.indexOf(']');
    if (close < 0) return undefined;
    const host = trimmed.slice(1, close);
    const rest = trimmed.slice(close + 1);
    if (isIP(host) !== 6) return undefined;
    if (rest === '') return { host };
    return rest.startsWith(':') ? withPort(host, rest.slice(1)) : undefined;
  }
  const colons = trimmed.split(':').length - 1;
  if (colons > 1) return isIP(trimmed) === 6 ? { host: trimmed } : undefined;
  if (colons === 1) {
    const [host, port] = trimmed.split(':') as [string, string];
    return host ? withPort(host, port) : undefined;
  }
  return trimmed ? { host: trimmed } : undefined;
}

function withPort(host: string, port: string): HostPort | undefined {
  if (!/^[0-9]{1,5}$/.test(port)) return undefined;
  const number = Number(port);
  return number >= 1 && number <= 65535 ? { host, port: number } : undefined;
}

/** Whether `entry` (a `host` or `host:port` list entry) names `target`. A bare host matches any port. */
export function hostEntryMatches(entry: HostPort, target: HostPort): boolean {
  return entry.host === target.host && (entry.port === undefined || entry.port === target.port);
}
