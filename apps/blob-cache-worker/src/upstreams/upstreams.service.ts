import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { DOCKER_HUB, ImageReference, isRegistryHost, normalizeRegistryHost } from '@vulnscan/image-reference';
import { RegistryClient } from '@vulnscan/registry';
import { OciError, unauthorized } from '../distribution/oci-error';
import type { Requester } from '../distribution/registry-auth';
import { BlobCacheEnv } from '../env';
import { cacheManifestLimits } from '../manifests/manifest-limits';
import { CONFIG_TENANT, configBlobSource, configuredFor, parseUpstreams, servesTenant, Upstream } from './upstream-config';
import { UpstreamTable } from './upstream-table';

/** Registry clients of tenants' upstreams kept at once (each holds its own connections and tokens). */
const MAX_TENANT_CLIENTS = 500;
/** A replaced client is closed this long after (downloads still using it finish first). */
const CLOSE_REPLACED_AFTER_MS = 10 * 60 * 1000;

/**
 * The upstreams: the configured ones (CACHE_UPSTREAMS: operator configuration, pulled anonymously
 * with one shared client, no outbound host policy) and tenants' own from the table (tenant input:
 * one client per upstream, with its credentials, every connection through the host policy of
 * CACHE_ALLOWED_HOSTS). Tenants' upstreams are looked up per request, so a change or deletion
 * through the API applies to every replica at once.
 */
@Injectable()
export class Upstreams implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Upstreams.name);
  readonly all: readonly Upstream[];
  readonly client: RegistryClient;
  private readonly tenantClients = new Map<string, { version: string; client: RegistryClient }>();
  private readonly closing = new Set<NodeJS.Timeout>();

  constructor(
    @Inject(SERVICE_ENV) private readonly env: BlobCacheEnv,
    private readonly table: UpstreamTable,
  ) {
    this.all = parseUpstreams(env.CACHE_UPSTREAMS);
    this.client = new RegistryClient({
      insecureRegistries: this.all.filter((upstream) => upstream.insecure).map((upstream) => upstream.endpointHost),
      requestTimeoutMs: env.CACHE_UPSTREAM_TIMEOUT_MS,
      userAgent: 'vulnscan-blob-cache/0.1',
      manifestLimits: cacheManifestLimits(env),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.table.syncConfig(this.all);
  }

  onApplicationShutdown(): void {
    this.client.close();
    for (const { client } of this.tenantClients.values()) client.close();
    for (const timer of this.closing) clearTimeout(timer);
    this.tenantClients.clear();
  }

  get default(): Upstream {
    return this.all[0]!;
  }

  /**
   * The upstream a request means: `?ns=<registry host>` as containerd mirrors send it, else the
   * first configured one. With a tenant (its API key, or the platform's internal token naming it)
   * the tenant's own upstream for that registry comes first, then a configured one that serves
   * the tenant (CACHE_UPSTREAMS `@tenants`). Anonymous requests (allowed only with
   * CACHE_ANONYMOUS_PULLS) and the internal token without a tenant are the bootstrap tenant's.
   * Without a key, a registry only tenants have registered asks the client to authenticate (401);
   * anything else the requester may not use is 404 NAME_UNKNOWN, as a registry answers for a
   * repository you may not see.
   */
  async resolve(ns: string | undefined, requester: Requester): Promise<Upstream> {
    const tenantId = requester.kind === 'anonymous' ? CONFIG_TENANT : (requester.tenantId ?? CONFIG_TENANT);
    if (ns === undefined || ns === '') return this.forTenant(this.default, tenantId, this.default.name);
    const name = normalizeRegistryHost(ns);
    const valid = isRegistryHost(name);
    if (requester.kind !== 'anonymous' && requester.tenantId !== undefined && valid) {
      const own = await this.table.findForTenant(requester.tenantId, name);
      if (own) return own;
    }
    const configured = this.byName(name);
    if (configured) return this.forTenant(configured, tenantId, ns);
    if (requester.kind === 'anonymous' && valid && (await this.table.anyTenantHas(name))) {
      throw unauthorized(`pulling through upstream "${name}" takes an API key of the tenant that registered it`);
    }
    const whose = requester.kind === 'anonymous' ? '' : ' or registered by this tenant';
    // Only the configured upstreams this tenant may use are named: the others are none of its business.
    const usable = this.all.filter((upstream) => servesTenant(upstream, tenantId)).map((upstream) => upstream.name);
    throw new OciError(
      404,
      'NAME_UNKNOWN',
      `no upstream is configured${whose} for registry "${ns.slice(0, 255)}" (configured: ${usable.join(', ') || 'none'})`,
    );
  }

  /** A configured upstream for `tenantId`, or 404 when it does not serve that tenant. */
  private forTenant(upstream: Upstream, tenantId: string, asked: string): Upstream {
    if (!servesTenant(upstream, tenantId)) {
      throw new OciError(404, 'NAME_UNKNOWN', `no upstream is configured for this tenant for registry "${asked.slice(0, 255)}"`);
    }
    return configuredFor(upstream, tenantId);
  }

  /** A configured upstream by registry host. */
  byName(name: string): Upstream | undefined {
    const wanted = normalizeRegistryHost(name);
    return this.all.find((upstream) => upstream.name === wanted);
  }

  /**
   * The upstream whose bytes prove a blob source (see Upstream.blobSource): a configured one by
   * name, a tenant's by id; undefined once it is gone.
   */
  async byBlobSource(source: string): Promise<Upstream | undefined> {
    const prefix = configBlobSource('');
    return source.startsWith(prefix) ? this.byName(source.slice(prefix.length)) : this.table.findById(source);
  }

  /** What the registry client is asked for: the upstream's own endpoint, the normalized repository. */
  reference(upstream: Upstream, repository: string): ImageReference {
    return { registry: upstream.endpointHost, repository };
  }

  /** The registry client that talks to an upstream: the shared one for configured upstreams. */
  clientFor(upstream: Upstream): RegistryClient {
    if (upstream.source === 'config' || upstream.id === undefined) return this.client;
    const version = upstream.version ?? '';
    const held = this.tenantClients.get(upstream.id);
    if (held && held.version === version) return held.client;
    if (held) this.closeLater(held.client);
    if (this.tenantClients.size >= MAX_TENANT_CLIENTS) {
      // The oldest entry goes (Map keeps insertion order).
      const [oldestId, oldest] = this.tenantClients.entries().next().value as [string, { client: RegistryClient }];
      this.tenantClients.delete(oldestId);
      this.closeLater(oldest.client);
    }
    const { credentials, endpointHost } = upstream;
    const client = new RegistryClient({
      insecureRegistries: upstream.insecure ? [endpointHost] : [],
      policy: this.table.policy,
      // The credentials go to the upstream's own endpoint (and its token realm) only.
      credentialsFor: async (host) => (credentials && host === endpointHost ? credentials : undefined),
      requestTimeoutMs: this.env.CACHE_UPSTREAM_TIMEOUT_MS,
      userAgent: 'vulnscan-blob-cache/0.1',
      manifestLimits: cacheManifestLimits(this.env),
    });
    this.tenantClients.set(upstream.id, { version, client });
    return client;
  }

  private closeLater(client: RegistryClient): void {
    const timer = setTimeout(() => {
      this.closing.delete(timer);
      client.close();
    }, CLOSE_REPLACED_AFTER_MS);
    timer.unref();
    this.closing.add(timer);
    this.logger.debug('a tenant upstream changed; its previous registry client closes later');
  }
}

/** Docker Hub's official images live under `library/`; references leave it out. */
export function normalizeRepository(upstream: Upstream, name: string): string {
  return upstream.name === DOCKER_HUB && !name.includes('/') ? `library/${name}` : name;
}
