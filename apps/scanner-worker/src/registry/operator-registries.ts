import { Inject, Injectable } from '@nestjs/common';
import { entriesFor, parseTenantEntry, servesTenant, TenantEntry } from '@vulnscan/config';
import { OutboundHostPolicy } from '@vulnscan/outbound-http';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { RegistryCredential, WorkerEnv } from '../env';

/**
 * What the operator configured for registries (REGISTRY_ALLOWED_HOSTS, INSECURE_REGISTRIES,
 * REGISTRY_CREDENTIALS), seen by one tenant: each entry serves only the tenants it names (the
 * bootstrap tenant when it names none), so a private host or an operator's credential is never
 * another tenant's door.
 */
@Injectable()
export class OperatorRegistries {
  private readonly allowedHosts: TenantEntry[];
  private readonly insecure: TenantEntry[];
  private readonly policies = new Map<string, OutboundHostPolicy>();

  constructor(@Inject(SERVICE_ENV) private readonly env: WorkerEnv) {
    this.allowedHosts = env.REGISTRY_ALLOWED_HOSTS.map(parseTenantEntry);
    this.insecure = env.INSECURE_REGISTRIES.map(parseTenantEntry);
  }

  /** The outbound host rule for the tenant's registry calls: only the private hosts named for it. */
  policyFor(tenantId: string): OutboundHostPolicy {
    let policy = this.policies.get(tenantId);
    if (!policy) {
      policy = new OutboundHostPolicy({
        allowedHosts: entriesFor(this.allowedHosts, tenantId),
        insecureRegistries: this.insecureFor(tenantId),
      });
      if (this.policies.size >= 10_000) this.policies.clear();
      this.policies.set(tenantId, policy);
    }
    return policy;
  }

  /** The registries spoken to in plain HTTP on the tenant's behalf. */
  insecureFor(tenantId: string): string[] {
    return entriesFor(this.insecure, tenantId);
  }

  /** The operator's credential for a registry host, when it serves this tenant. */
  credentialFor(tenantId: string, registry: string): RegistryCredential | undefined {
    const credential = this.env.REGISTRY_CREDENTIALS[registry];
    return credential && servesTenant(credential, tenantId) ? credential : undefined;
  }
}
