import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { announceKeyRevocation, apiKeyHash, ApiKeyReader, isRevokedBy, KeyRevocation, KeyRevocations } from '@vulnscan/gateway-data';
import { BOOTSTRAP_TENANT } from '@vulnscan/config';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { ApiKeyEntity, Scope } from '../entities';
import { GatewayEnv } from '../env';

export interface Principal {
  keyId: string;
  tenantId: string;
  scopes: readonly Scope[];
}

const KEY_PREFIX = 'vsk_';
const SCOPES: ReadonlySet<string> = new Set(Object.values(Scope));
const isScope = (scope: string): scope is Scope => SCOPES.has(scope);

@Injectable()
export class ApiKeys implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeys.name);
  /** hash → principal (or null for an unknown key) and when the entry stops being trusted. */
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: GatewayEnv,
    private readonly reader: ApiKeyReader,
    revocations: KeyRevocations,
  ) {
    // Revocations through any replica reach this one's cache at once (API_KEY_CACHE_SECONDS is the bound when they cannot).
    revocations.subscribe(
      (revocation) => this.forget(revocation),
      () => this.cache.clear(),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.env.BOOTSTRAP_API_KEY) return;
    // A bootstrap key revoked through the API stays revoked: a restart must not bring it back.
    const [row] = (await this.dataSource.query(
      `INSERT INTO gateway.api_keys (id, tenant_id, name, key_hash, key_prefix, scopes)
       VALUES ($1, $2, 'bootstrap', $3, $4, $5)
       ON CONFLICT (key_hash) DO UPDATE SET scopes = EXCLUDED.scopes
       RETURNING revoked_at`,
      [uuidv7(), BOOTSTRAP_TENANT, apiKeyHash(this.env.BOOTSTRAP_API_KEY), this.env.BOOTSTRAP_API_KEY.slice(0, 8), Object.values(Scope)],
    )) as { revoked_at: Date | null }[];
    if (row.revoked_at) this.logger.warn('BOOTSTRAP_API_KEY was revoked and stays revoked: set a new value to get an operator key');
    else this.logger.log(`operator API key ensured for tenant ${BOOTSTRAP_TENANT}`);
  }

  /** `beforeLookup` runs only when the key must be looked up in the database (it may throw to refuse). */
  async verify(secret: string, beforeLookup?: () => Promise<void>): Promise<Principal | null> {
    const hash = apiKeyHash(secret);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    await beforeLookup?.();
    // The one lookup rule (by hash, never a revoked key), shared with the blob cache's registry auth.
    const key = await this.reader.verify(secret);
    const principal = key ? { keyId: key.keyId, tenantId: key.tenantId, scopes: key.scopes.filter(isScope) } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: Date.now() + this.env.API_KEY_CACHE_SECONDS * 1000 });
    return principal;
  }

  /** Forgets this replica's cached entries of revoked keys. */
  forget(revocation: KeyRevocation): void {
    for (const [hash, entry] of this.cache) if (entry.principal && isRevokedBy(revocation, entry.principal)) this.cache.delete(hash);
  }

  /** Creates a key and returns its secret: the only time the secret exists outside the caller. */
  async create(tenantId: string, name: string, scopes: Scope[]): Promise<{ key: ApiKeyEntity; secret: string }> {
    const secret = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const repository = this.dataSource.getRepository(ApiKeyEntity);
    const key = repository.create({
      id: uuidv7(),
      tenantId,
      name,
      keyHash: apiKeyHash(secret),
      keyPrefix: secret.slice(0, 10),
      scopes,
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    });
    await repository.insert(key);
    return { key, secret };
  }

  list(tenantId?: string): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({
      where: { revokedAt: IsNull(), ...(tenantId ? { tenantId } : {}) },
      order: { createdAt: 'DESC' },
      take: 1000,
    });
  }

  /** Revokes a key (of `tenantId` only, when given); false when there is no such live key. */
  async revoke(id: string, tenantId?: string): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(ApiKeyEntity)
      .update({ id, revokedAt: IsNull(), ...(tenantId ? { tenantId } : {}) }, { revokedAt: new Date() });
    this.cache.clear();
    const revoked = (result.affected ?? 0) > 0;
    if (revoked) await announceKeyRevocation(this.dataSource, { keyId: id });
    return revoked;
  }
}
