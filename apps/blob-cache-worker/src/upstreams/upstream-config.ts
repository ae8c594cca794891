import { isRegistryHost, normalizeRegistryHost } from '@vulnscan/image-reference';

/**
 * One upstream registry the cache pulls through: `name` is the registry host as image
 * references spell it (`docker.io`, `127.0.0.1:5555`), `url` where its Distribution API lives.
 */
export interface Upstream {
  readonly name: string;
  readonly url: URL;
  /** The host:port the registry client connects to (from `url`). */
  readonly endpointHost: string;
  /** Plain http (from the URL's scheme). */
  readonly insecure: boolean;
  /** `config` (CACHE_UPSTREAMS, anonymous, tenant `default`) or `api` (one tenant's, from the table). */
  readonly source: 'config' | 'api';
  /** Whom events about content pulled through it are for. */
  readonly tenantId: string;
  /** What its cached content is keyed by besides the name: '' for configured ones, the row id for a tenant's. */
  readonly scope: string;
  /** The table row of a tenant's upstream. */
  readonly id?: string;
  /** When a tenant's upstream last changed (its registry client is rebuilt then). */
  readonly version?: string;
  /** A tenant's upstream's credentials, decrypted; the cache pulls anonymously without them. */
  readonly credentials?: { readonly username: string; readonly password: string };
}

/** Tenant of every event about content pulled from upstreams in the configuration. */
export const CONFIG_TENANT = 'default';

/**
 * Parses `CACHE_UPSTREAMS`: comma-separated `<registry host>=<url>` entries, e.g.
 * `docker.io=https://registry-1.docker.io,127.0.0.1:5555=http://127.0.0.1:5555`. The first entry
 * is the default upstream. Throws an Error naming the bad entry.
 */
export function parseUpstreams(value: string): Upstream[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) throw new Error('no upstream is configured (expected <registry host>=<url>, ...)');
  const upstreams: Upstream[] = [];
  for (const entry of entries) {
    const upstream = parseEntry(entry);
    if (upstreams.some((other) => other.name === upstream.name)) {
      throw new Error(`upstream "${upstream.name}" is configured twice`);
    }
    upstreams.push(upstream);
  }
  return upstreams;
}

function parseEntry(entry: string): Upstream {
  const equals = entry.indexOf('=');
  if (equals <= 0) throw new Error(`"${entry}" is not <registry host>=<url>`);
  const rawName = entry.slice(0, equals).trim();
  const rawUrl = entry.slice(equals + 1).trim();
  if (!isRegistryHost(rawName)) {
    throw new Error(`"${rawName}" is not a registry host (host or host:port, as image references name it)`);
  }
  const name = normalizeRegistryHost(rawName);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new Error(`the URL of upstream "${name}" ("${rawUrl}") is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`the URL of upstream "${name}" must be http:// or https://, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new Error(`the URL of upstream "${name}" must not carry credentials`);
  }
  // The registry client speaks to a registry root: /v2/ is always directly below the host.
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new Error(`the URL of upstream "${name}" must be the registry root (no path, query or fragment), got ${rawUrl}`);
  }
  return { name, url, endpointHost: url.host, insecure: url.protocol === 'http:', source: 'config', tenantId: CONFIG_TENANT, scope: '' };
}

/** Why `value` is not a valid `CACHE_UPSTREAMS`, or undefined when it is. */
export function upstreamsProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string of <registry host>=<url> entries';
  try {
    parseUpstreams(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
