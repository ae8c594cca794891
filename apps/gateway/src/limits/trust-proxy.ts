import { isIP } from 'node:net';
import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

/** Express's names for address ranges (`trust proxy`). */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** What Express's `trust proxy` is set to: no proxy, a number of hops, or the proxies' addresses. */
export type TrustProxy = false | number | string[];

/**
 * Parses TRUST_PROXY: `false` (the client is the socket's peer), a number of proxy hops in front
 * of the gateway (1 to 10), or comma-separated addresses, CIDR ranges and Express's names
 * (`loopback`, `linklocal`, `uniquelocal`) of the proxies whose X-Forwarded-For is believed.
 * `true` (believe every hop) is refused: any client could then choose its own address.
 * Throws an Error naming the bad entry.
 */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') throw new Error('true would believe any X-Forwarded-For a client sends; name the proxies or their hop count');
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > 10) throw new Error('a hop count must be 1 to 10');
    return hops;
  }
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  for (const entry of entries) {
    if (RANGE_NAMES.has(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixValid = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixValid || rest.length > 0) {
      throw new Error(`${JSON.stringify(entry)} is not an address, a CIDR range or one of ${[...RANGE_NAMES].join(', ')}`);
    }
  }
  return entries;
}

function problem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  try {
    parseTrustProxy(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

@ValidatorConstraint({ name: 'trustProxy' })
export class TrustProxySetting implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return problem(value) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return problem(args.value) ?? 'is invalid';
  }
}

/** The address a request's limits are kept under: Express's `request.ip` (see TRUST_PROXY), IPv4 without its IPv6 mapping. */
export function clientAddress(request: { ip?: string; socket?: { remoteAddress?: string } }): string {
  const address = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
