import { BOOTSTRAP_TENANT } from '@vulnscan/config';
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
  /**
   * What its cached manifests and tags are keyed by besides the name: for a configured upstream
   * '' when pulled for the bootstrap tenant and `tenant:<id>` for another tenant it serves; the
   * row id for a tenant's own.
   */
  readonly scope: string;
  /**
   * Whose proofs of blobs it reads and writes: `config:<registry>` for a configured upstream (one
   * operator upstream's bytes prove a blob for every tenant it serves), the row id for a tenant's.
   */
  readonly blobSource: string;
  /** A configured upstream's tenants (CACHE_UPSTREAMS `@a|b`; `*` is every tenant). */
  readonly tenants?: readonly string[];
  /** The table row of a tenant's upstream. */
  readonly id?: string;
  /** When a tenant's upstream last changed (its registry client is rebuilt then). */
  readonly version?: string;
  /** A tenant's upstream's credentials, decrypted; the cache pulls anonymously without them. */
  readonly credentials?: { readonly username: string; readonly password: string };
}

/** The bootstrap tenant: the one configured upstreams serve unless they name others, and anonymous pulls bill. */
export const CONFIG_TENANT = BOOTSTRAP_TENANT;

/** Every tenant, in a configured upstream's tenant list. */
export const ALL_TENANTS = '*';

/** A tenant id as the gateway makes them (lowercase slug); `*` stands for all. */
const TENANT_ID = /^(?:\*|[a-z0-9][a-z0-9-]{0,62})$/;

/** The blob source of a configured upstream. */
export const configBlobSource = (name: string) => `config:${name}`;

/** Whether a configured upstream serves `tenantId`. */
export function servesTenant(upstream: Upstream, tenantId: string): boolean {
  const tenants = upstream.tenants ?? [CONFIG_TENANT];
  return tenants.includes(ALL_TENANTS) || tenants.includes(tenantId);
}

/**
 * A configured upstream as pulled for one tenant: the tenant's own manifests, tags and events
 * (its cache scans are its own), the upstream's shared blob proofs.
 */
export function configuredFor(upstream: Upstream, tenantId: string): Upstream {
  return { ...upstream, tenantId, scope: tenantId === CONFIG_TENANT ? '' : `tenant:${tenantId}` };
}

/**
 * Parses `CACHE_UPSTREAMS`: comma-separated `<registry host>=<url>[@<tenant>|<tenant>…]`
 * entries, e.g. `docker.io=https://registry-1.docker.io@*,127.0.0.1:5555=http://127.0.0.1:5555@team-a|default`.
 * Without `@` an upstream serves the bootstrap tenant only; `*` serves every tenant. The first
 * entry is the default upstream. Throws an Error naming the bad entry.
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
  const target = entry.slice(equals + 1).trim();
  // URLs may not carry credentials, so an `@` followed by something that is no host starts the
  // tenant list; anything else stays in the URL (and is refused there, credentials and all).
  const at = target.lastIndexOf('@');
  const listed = at >= 0 && !/[.:/]/.test(target.slice(at + 1));
  const rawUrl = (listed ? target.slice(0, at) : target).trim();
  const tenants = listed ? parseTenants(target.slice(at + 1), rawName) : [CONFIG_TENANT];
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
  return {
    name,
    url,
    endpointHost: url.host,
    insecure: url.protocol === 'http:',
    source: 'config',
    tenantId: CONFIG_TENANT,
    scope: '',
    blobSource: configBlobSource(name),
    tenants,
  };
}

function parseTenants(list: string, upstream: string): string[] {
  const tenants = list.split('|').map((tenant) => tenant.trim());
  const bad = tenants.find((tenant) => !TENANT_ID.test(tenant));
  if (bad !== undefined) {
    throw new Error(`upstream "${upstream}" names tenant "${bad}": give tenant ids (lowercase slugs) or * after @, separated by |`);
  }
  return [...new Set(tenants)];
}

/** Why `value` is not a valid `CACHE_UPSTREAMS`, or undefined when it is. */
export function upstreamsProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string of <registry host>=<url>[@<tenant>|…] entries';
  try {
    parseUpstreams(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
