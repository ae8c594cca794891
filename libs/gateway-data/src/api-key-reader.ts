import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';

/** Who an API key speaks for. */
export interface ApiKeyPrincipal {
  keyId: string;
  tenantId: string;
  /** `scans:read`, `scans:write`, `admin`. */
  scopes: readonly string[];
}

/** How the gateway stores a key: the hex sha256 of its secret, never the secret. */
export function apiKeyHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Read-only access to the gateway's API keys for other services (the blob cache accepts a
 * tenant's key on its registry API). Plain SQL on `gateway.api_keys`: looked up by hash, revoked
 * keys never match. Keys are created and revoked by the gateway only.
 */
@Injectable()
export class ApiKeyReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async verify(secret: string): Promise<ApiKeyPrincipal | null> {
    if (secret.length === 0 || secret.length > 1024) return null;
    const [row] = (await this.dataSource.query(
      `SELECT id, tenant_id, scopes FROM gateway.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [apiKeyHash(secret)],
    )) as { id: string; tenant_id: string; scopes: string[] }[];
    return row ? { keyId: row.id, tenantId: row.tenant_id, scopes: row.scopes } : null;
  }
}
