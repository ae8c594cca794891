import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_ENV } from '@vulnscan/platform';
import { ImageReference, RegistryClient } from '@vulnscan/registry';
import { OciError } from '../distribution/oci-error';
import { BlobCacheEnv } from '../env';
import { DOCKER_HUB, normalizeRegistryHost, parseUpstreams, Upstream } from './upstream-config';

/**
 * The configured upstreams and the one registry client that talks to them. The client is pointed
 * at each upstream's URL host (http ones are its insecure registries); upstream URLs are operator
 * configuration, so the outbound host policy that guards user-given references does not apply.
 */
@Injectable()
export class Upstreams implements OnApplicationShutdown {
  readonly all: readonly Upstream[];
  readonly client: RegistryClient;

  constructor(@Inject(SERVICE_ENV) env: BlobCacheEnv) {
    this.all = parseUpstreams(env.CACHE_UPSTREAMS);
    this.client = new RegistryClient({
      insecureRegistries: this.all.filter((upstream) => upstream.insecure).map((upstream) => upstream.endpointHost),
      requestTimeoutMs: env.CACHE_UPSTREAM_TIMEOUT_MS,
      userAgent: 'vulnscan-blob-cache/0.1',
    });
  }

  onApplicationShutdown(): void {
    this.client.close();
  }

  get default(): Upstream {
    return this.all[0]!;
  }

  /** The upstream a request means: `?ns=<registry host>` as containerd mirrors send it, else the first one. */
  forNamespace(ns: string | undefined): Upstream {
    if (ns === undefined || ns === '') return this.default;
    const found = this.byName(ns);
    if (!found) {
      const known = this.all.map((upstream) => upstream.name).join(', ');
      throw new OciError(404, 'NAME_UNKNOWN', `no upstream is configured for registry "${ns.slice(0, 255)}" (configured: ${known})`);
    }
    return found;
  }

  byName(name: string): Upstream | undefined {
    const wanted = normalizeRegistryHost(name);
    return this.all.find((upstream) => upstream.name === wanted);
  }

  /** What the registry client is asked for: the upstream's own endpoint, the normalized repository. */
  reference(upstream: Upstream, repository: string): ImageReference {
    return { registry: upstream.endpointHost, repository };
  }
}

/** Docker Hub's official images live under `library/`; references leave it out. */
export function normalizeRepository(upstream: Upstream, name: string): string {
  return upstream.name === DOCKER_HUB && !name.includes('/') ? `library/${name}` : name;
}
