import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { UpstreamSource, UpstreamView } from '@vulnscan/contracts';

/** A `cache.upstreams` row as queries select it: never the sealed password, only whether there is one. */
export interface UpstreamRow {
  id: string;
  source: UpstreamSource;
  registry: string;
  url: string;
  username: string | null;
  has_credentials: boolean;
  created_at: Date;
  updated_at: Date;
}

/** What the API shows of an upstream. */
export function presentUpstream(row: UpstreamRow): UpstreamView {
  return {
    id: row.id,
    registry: row.registry,
    url: row.url,
    source: row.source,
    username: row.username,
    hasCredentials: row.has_credentials,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * Read-only access to the cache's upstreams for other services (the gateway): the configured
 * ones that serve the tenant (CACHE_UPSTREAMS `@…`) and the tenant's own. Plain SQL naming its columns: the sealed password is never read.
 */
@Injectable()
export class UpstreamReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The configured upstreams, then the tenant's own, each by registry. */
  async list(tenantId: string): Promise<UpstreamView[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, source, registry, url, username, secret IS NOT NULL AS has_credentials, created_at, updated_at
       FROM cache.upstreams WHERE (source = 'config' AND tenants && ARRAY['*', $1]) OR tenant_id = $1
       ORDER BY source DESC, registry LIMIT 1000`,
      [tenantId],
    )) as UpstreamRow[];
    return rows.map(presentUpstream);
  }

  async find(tenantId: string, id: string): Promise<UpstreamView | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT id, source, registry, url, username, secret IS NOT NULL AS has_credentials, created_at, updated_at
       FROM cache.upstreams WHERE id = $1 AND ((source = 'config' AND tenants && ARRAY['*', $2]) OR tenant_id = $2)`,
      [id, tenantId],
    )) as UpstreamRow[];
    return row ? presentUpstream(row) : undefined;
  }
}
