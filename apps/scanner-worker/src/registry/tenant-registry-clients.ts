import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { ManifestLimits, RegistryClient } from '@vulnscan/registry';
import { RegistryCredentials } from '../credentials/registry-credentials.service';
import { OperatorRegistries } from './operator-registries';
import { WorkerEnv } from '../env';

/**
 * One registry client per tenant, with that tenant's stored credentials and the operator's
 * configuration that serves it (OperatorRegistries). Tokens obtained with one tenant's credentials never serve another.
 * Scans and target listings share the clients (and their circuit breakers and token caches).
 */
@Injectable()
export class TenantRegistryClients implements OnApplicationShutdown {
  private readonly clients = new Map<string, RegistryClient>();

  constructor(
    @Inject(SERVICE_ENV) private readonly env: WorkerEnv,
    private readonly credentials: RegistryCredentials,
    private readonly operator: OperatorRegistries,
  ) {}

  onApplicationShutdown(): void {
    for (const client of this.clients.values()) client.close();
  }

  for(tenantId: string): RegistryClient {
    let client = this.clients.get(tenantId);
    if (!client) {
      client = new RegistryClient({
        insecureRegistries: this.operator.insecureFor(tenantId),
        policy: this.operator.policyFor(tenantId),
        credentialsFor: (host) => this.credentials.lookup(tenantId, host),
        requestTimeoutMs: this.env.REGISTRY_TIMEOUT_MS,
        userAgent: 'vulnscan-scanner-worker',
        manifestLimits: manifestLimitsOf(this.env),
      });
      this.clients.set(tenantId, client);
    }
    return client;
  }
}

/** The worker's manifest settings as the registry client takes them; registries and the cache get the same limits. */
export function manifestLimitsOf(env: WorkerEnv): ManifestLimits {
  return { maxBytes: env.MANIFEST_MAX_BYTES, maxIndexChildren: env.INDEX_MAX_CHILDREN, maxPullBytes: env.MANIFEST_PULL_MAX_BYTES };
}
