import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './outbound-host-policy';

/**
 * A `lookup` for node:http(s) that answers only with `addresses`, the ones the host policy
 * resolved and checked: the connection goes to a checked address, never to a second DNS answer
 * (DNS rebinding). A family the checked set lacks is ENOTFOUND, not a fresh resolution.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const candidates = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : [...addresses];
    const first = candidates[0];
    if (!first) {
      callback(Object.assign(new Error(`no allowed IPv${family} address`), { code: 'ENOTFOUND' }), '', 4);
    } else if (options.all) {
      callback(
        null,
        candidates.map(({ address, family: f }) => ({ address, family: f })),
      );
    } else {
      callback(null, first.address, first.family);
    }
  };
}

/** `host:port` of a URL with the scheme's default port made explicit, so `host:443` policy entries match. */
export function hostWithPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}
