import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { CacheErrorCode, PutUpstreamCommand, ScanError, upstreamUrlProblem, UpstreamView } from '@vulnscan/contracts';
import { presentUpstream, UpstreamRow } from '@vulnscan/cache-data';
import { CommandRejectedError } from '@vulnscan/messaging';
import { parseEncryptionKey, SecretCipher, SERVICE_ENV } from '@vulnscan/service-runtime';
import { isRegistryHost, normalizeRegistryHost } from '@vulnscan/image-reference';
import { hostWithPort, OutboundHostPolicy } from '@vulnscan/outbound-http';
import { OciError } from '../distribution/oci-error';
import { BlobCacheEnv } from '../env';
import { CONFIG_TENANT, Upstream } from './upstream-config';

/** A tenant may register this many upstreams. */
export const MAX_UPSTREAMS_PER_TENANT = 100;

/** What a sealed upstream password is bound to: a ciphertext copied onto another row does not decrypt. */
export const upstreamSecretContext = (tenantId: string, registry: string) => `upstream\n${tenantId}\n${registry}`;

interface ApiUpstreamRow {
  id: string;
  tenant_id: string;
  registry: string;
  url: string;
  username: string | null;
  secret: string | null;
  updated_at: Date;
}

/**
 * The `cache.upstreams` table: the configured upstreams mirrored into it (so the API can list
 * them), tenants' upstreams created, replaced and deleted by the gateway's commands, and looked
 * up (passwords decrypted) when a pull goes through one.
 */
@Injectable()
export class UpstreamTable {
  private readonly logger = new Logger(UpstreamTable.name);
  private readonly cipher: SecretCipher | null;
  /** The outbound rule for tenants' upstream URLs (tenant input, unlike CACHE_UPSTREAMS). */
  readonly policy: OutboundHostPolicy;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) env: BlobCacheEnv,
  ) {
    this.cipher = env.CACHE_ENCRYPTION_KEY ? new SecretCipher(parseEncryptionKey(env.CACHE_ENCRYPTION_KEY)) : null;
    this.policy = new OutboundHostPolicy({ allowedHosts: env.CACHE_ALLOWED_HOSTS, insecureRegistries: [] });
  }

  /**
   * Makes the `config` rows what this process's CACHE_UPSTREAMS says (the last replica to start
   * wins, so replicas should share one configuration).
   */
  async syncConfig(configured: readonly Upstream[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('blob-cache:upstreams'), 0)`);
      await manager.query(`DELETE FROM cache.upstreams WHERE source = 'config' AND NOT (registry = ANY($1::text[]))`, [
        configured.map((upstream) => upstream.name),
      ]);
      for (const upstream of configured) {
        await manager.query(
          `INSERT INTO cache.upstreams (id, source, registry, url, tenants) VALUES ($1, 'config', $2, $3, $4)
           ON CONFLICT (registry) WHERE source = 'config' DO UPDATE SET url = EXCLUDED.url, tenants = EXCLUDED.tenants,
             updated_at = CASE WHEN upstreams.url = EXCLUDED.url AND upstreams.tenants = EXCLUDED.tenants THEN upstreams.updated_at ELSE now() END`,
          [uuidv7(), upstream.name, upstream.url.origin, upstream.tenants ?? [CONFIG_TENANT]],
        );
      }
    });
  }

  /** A tenant's own upstream for a registry host, credentials decrypted. */
  async findForTenant(tenantId: string, registry: string): Promise<Upstream | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT id, tenant_id, registry, url, username, secret, updated_at FROM cache.upstreams
       WHERE source = 'api' AND tenant_id = $1 AND registry = $2`,
      [tenantId, registry],
    )) as ApiUpstreamRow[];
    return row ? this.toUpstream(row) : undefined;
  }

  /** A tenant's upstream by id (what its cached content is scoped to). */
  async findById(id: string): Promise<Upstream | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const [row] = (await this.dataSource.query(
      `SELECT id, tenant_id, registry, url, username, secret, updated_at FROM cache.upstreams WHERE source = 'api' AND id = $1`,
      [id],
    )) as ApiUpstreamRow[];
    return row ? this.toUpstream(row) : undefined;
  }

  /** Whether any tenant has an upstream for this registry (an anonymous pull of it is asked to authenticate). */
  async anyTenantHas(registry: string): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM cache.upstreams WHERE source = 'api' AND registry = $1 LIMIT 1`, [
      registry,
    ])) as unknown[];
    return rows.length > 0;
  }

  /**
   * Creates or replaces the tenant's upstream for a registry (same id, so what was cached through
   * it stays). `configured` says whether CACHE_UPSTREAMS has the registry for this tenant: a
   * tenant may not shadow a configured upstream it may use, but may register one it may not.
   */
  /** `stillLive` runs first in the storing transaction and throws to refuse a command sent to a deleted tenant. */
  async put(
    command: PutUpstreamCommand,
    configured: (registry: string, tenantId: string) => boolean,
    stillLive: (manager: EntityManager) => Promise<void> = async () => undefined,
  ): Promise<UpstreamView> {
    const registry = normalizeRegistryHost(command.registry);
    if (!isRegistryHost(registry)) throw new CommandRejectedError(CacheErrorCode.ValidationFailed, 'registry must be a host or host:port');
    const urlProblem = upstreamUrlProblem(command.url);
    if (urlProblem) throw new CommandRejectedError(CacheErrorCode.ValidationFailed, urlProblem);
    if (configured(registry, command.tenantId)) {
      throw new CommandRejectedError(
        CacheErrorCode.UpstreamConflict,
        `registry ${registry} is a configured upstream of the cache (CACHE_UPSTREAMS) serving this tenant; it cannot be registered`,
      );
    }
    const hasCredentials = command.username !== undefined && command.password !== undefined;
    if ((command.username === undefined) !== (command.password === undefined)) {
      throw new CommandRejectedError(CacheErrorCode.ValidationFailed, 'give username and password together, or neither');
    }
    const cipher = hasCredentials ? this.requireCipher() : null;
    const url = new URL(command.url);
    await this.checkHost(url);
    const secret =
      cipher && command.password !== undefined ? cipher.encrypt(command.password, upstreamSecretContext(command.tenantId, registry)) : null;

    const row = await this.dataSource.transaction(async (manager) => {
      // One registration per tenant at a time, so the limit holds under concurrent requests.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('blob-cache:upstreams'), hashtext($1))`, [command.tenantId]);
      await stillLive(manager);
      const [{ count }] = (await manager.query(
        `SELECT count(*)::int AS count FROM cache.upstreams WHERE source = 'api' AND tenant_id = $1 AND registry <> $2`,
        [command.tenantId, registry],
      )) as { count: number }[];
      if (count >= MAX_UPSTREAMS_PER_TENANT) {
        throw new CommandRejectedError(CacheErrorCode.UpstreamLimit, `a tenant may register at most ${MAX_UPSTREAMS_PER_TENANT} upstreams`);
      }
      const [saved] = (await manager.query(
        `INSERT INTO cache.upstreams (id, source, tenant_id, registry, url, username, secret) VALUES ($1, 'api', $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, registry) WHERE source = 'api' DO UPDATE
           SET url = EXCLUDED.url, username = EXCLUDED.username, secret = EXCLUDED.secret, updated_at = now()
         RETURNING id, source, registry, url, username, secret IS NOT NULL AS has_credentials, created_at, updated_at`,
        [uuidv7(), command.tenantId, registry, url.origin, hasCredentials ? command.username : null, secret],
      )) as UpstreamRow[];
      return saved!;
    });
    this.logger.log({ tenantId: command.tenantId, registry, url: url.origin, hasCredentials }, 'tenant upstream saved');
    return presentUpstream(row);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const rows = (await this.dataSource.query(
      `DELETE FROM cache.upstreams WHERE id = $1 AND tenant_id = $2 AND source = 'api' RETURNING id`,
      [id, tenantId],
    )) as unknown[];
    // DELETE … RETURNING answers [rows, affected] through TypeORM's postgres driver.
    const deleted = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
    if (deleted === 0)
      throw new CommandRejectedError(
        CacheErrorCode.UpstreamNotFound,
        `upstream ${id} not found (configured upstreams cannot be deleted through the API)`,
      );
  }

  /** The URL's host must pass the outbound policy now (and does again on every connection). */
  private async checkHost(url: URL): Promise<void> {
    try {
      await this.policy.check(hostWithPort(url));
    } catch (error) {
      if (error instanceof ScanError) throw new CommandRejectedError(error.code, `url: ${error.message}`);
      throw error;
    }
  }

  private toUpstream(row: ApiUpstreamRow): Upstream {
    const url = new URL(row.url);
    let credentials: Upstream['credentials'];
    if (row.username !== null && row.secret !== null) {
      if (!this.cipher) {
        throw new OciError(
          503,
          'UNAVAILABLE',
          `the credentials of upstream ${row.registry} cannot be decrypted: the cache has no CACHE_ENCRYPTION_KEY`,
        );
      }
      credentials = {
        username: row.username,
        password: this.cipher.decrypt(row.secret, upstreamSecretContext(row.tenant_id, row.registry)),
      };
    }
    return {
      name: row.registry,
      url,
      endpointHost: url.host,
      insecure: url.protocol === 'http:',
      source: 'api',
      tenantId: row.tenant_id,
      scope: row.id,
      blobSource: row.id,
      id: row.id,
      version: row.updated_at.toISOString(),
      ...(credentials ? { credentials } : {}),
    };
  }

  private requireCipher(): SecretCipher {
    if (!this.cipher) {
      throw new CommandRejectedError(
        CacheErrorCode.CredentialsDisabled,
        'Upstream credentials cannot be stored: the blob-cache-worker has no CACHE_ENCRYPTION_KEY. Register the upstream without credentials, or set the key.',
      );
    }
    return this.cipher;
  }
}
