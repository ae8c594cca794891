import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor } from '@vulnscan/persistence';
import { SecurityStatus } from './security-status';

/** A `status.manifest_security_status` row as other services see it. */
export interface ManifestStatusRow {
  id: string;
  tenantId: string;
  upstream: string;
  repository: string;
  manifestDigest: string;
  mediaType: string | null;
  status: SecurityStatus;
  reason: string | null;
  message: string | null;
  scanId: string | null;
  lastCompletedScanId: string | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface StatusPage {
  items: ManifestStatusRow[];
  /** Pass back as `after` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** Pages on the UUIDv7 id (creation order), newest first. */
const ID_CURSOR = keysetCursor(['uuid']);

const COLUMNS = `id, tenant_id AS "tenantId", upstream, repository, manifest_digest AS "manifestDigest", media_type AS "mediaType",
  status, reason, message, scan_id AS "scanId", last_completed_scan_id AS "lastCompletedScanId", attempts,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Read-only access to manifests' security status in plain SQL, always within one tenant. */
@Injectable()
export class StatusReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every repository holding this manifest, or only `upstream`/`repository` when given. */
  find(tenantId: string, manifestDigest: string, where: { upstream?: string; repository?: string } = {}): Promise<ManifestStatusRow[]> {
    const params: unknown[] = [tenantId, manifestDigest];
    const conditions = ['tenant_id = $1', 'manifest_digest = $2'];
    if (where.upstream !== undefined) conditions.push(`upstream = $${params.push(where.upstream)}`);
    if (where.repository !== undefined) conditions.push(`repository = $${params.push(where.repository)}`);
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM status.manifest_security_status WHERE ${conditions.join(' AND ')} ORDER BY upstream ASC, repository ASC`,
      params,
    );
  }

  /** Newest first; `cursor` is the previous page's nextCursor (an InvalidCursorError if we did not issue it). */
  async list(tenantId: string, options: { status?: SecurityStatus; cursor?: string; limit: number }): Promise<StatusPage> {
    const params: unknown[] = [tenantId, options.limit + 1];
    const conditions = ['tenant_id = $1'];
    if (options.status) conditions.push(`status = $${params.push(options.status)}`);
    if (options.cursor) conditions.push(`id < $${params.push(ID_CURSOR.decode(options.cursor)[0])}`);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM status.manifest_security_status WHERE ${conditions.join(' AND ')} ORDER BY id DESC LIMIT $2`,
      params,
    )) as ManifestStatusRow[];
    const items = rows.slice(0, options.limit);
    return { items, nextCursor: rows.length > options.limit ? ID_CURSOR.encode([items[items.length - 1].id]) : null };
  }
}
