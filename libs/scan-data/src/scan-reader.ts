import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { LayerDto, PlatformDto, ScanErrorCode, ScanJobKind, ScanTrigger } from '@vulnscan/contracts';
import { keysetCursor, PG_MICROSECOND_TIMESTAMP, SqlRunner } from '@vulnscan/persistence';
import { ScanStatus } from './scan-status';

/** A `scheduler.scans` row as other services see it (the columns the API and workers use). */
export interface ScanRow {
  id: string;
  tenantId: string;
  imageId: string;
  image: string;
  status: ScanStatus;
  kind: ScanJobKind;
  trigger: ScanTrigger;
  progress: number;
  idempotencyKey: string | null;
  requestedPlatform: PlatformDto | null;
  /** The current attempt; 0 until first dispatched. */
  attempt: number;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  manifestDigest: string | null;
  mediaType: string | null;
  platform: PlatformDto | null;
  layers: LayerDto[] | null;
  errorCode: ScanErrorCode | null;
  errorMessage: string | null;
}

/** A `scheduler.scan_attempts` row. */
export interface ScanAttemptRow {
  scanId: string;
  attempt: number;
  status: 'dispatched' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'crashed' | 'canceled';
  workerId: string | null;
  dispatchedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface ScanListQuery {
  image?: string;
  status?: ScanStatus;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Scans page on (created_at, id), newest first; created_at to the microsecond (a batch's scans share one). */
const SCAN_CURSOR = keysetCursor(['pg-timestamp', 'uuid']);

const SCAN_COLUMNS = `s.id, s.tenant_id AS "tenantId", s.image_id AS "imageId", s.image, s.status, s.kind, s.trigger, s.progress,
  s.idempotency_key AS "idempotencyKey", s.requested_platform AS "requestedPlatform", s.attempt, s.created_at AS "createdAt",
  s.started_at AS "startedAt", s.completed_at AS "completedAt", s.manifest_digest AS "manifestDigest", s.media_type AS "mediaType",
  s.platform, s.layers, s.error_code AS "errorCode", s.error_message AS "errorMessage"`;

/**
 * The completed scan of the same image created just before `scanId` (by (created_at, id), compared
 * in SQL so no precision is lost through a JS Date); undefined when there is none. Runs on the
 * caller's runner, so a consumer can read inside its inbox transaction.
 */
export async function previousCompletedScanId(db: SqlRunner, tenantId: string, scanId: string): Promise<string | undefined> {
  const [row] = (await db.query(
    `SELECT p.id FROM scheduler.scans p
     JOIN scheduler.scans c ON c.id = $2 AND c.tenant_id = p.tenant_id AND c.image_id = p.image_id
     WHERE p.tenant_id = $1 AND p.status = $3 AND (p.created_at, p.id) < (c.created_at, c.id)
     ORDER BY p.created_at DESC, p.id DESC LIMIT 1`,
    [tenantId, scanId, ScanStatus.Completed],
  )) as { id: string }[];
  return row?.id;
}

/**
 * Read-only access to the scheduler's scans for other services, in plain SQL over its tables.
 * Every query takes the tenant id: there is no way to read another tenant's scans through it.
 */
@Injectable()
export class ScanReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findOne(tenantId: string, scanId: string): Promise<ScanRow | null> {
    const [row] = (await this.dataSource.query(`SELECT ${SCAN_COLUMNS} FROM scheduler.scans s WHERE s.tenant_id = $1 AND s.id = $2`, [
      tenantId,
      scanId,
    ])) as ScanRow[];
    return row ?? null;
  }

  attempts(tenantId: string, scanId: string): Promise<ScanAttemptRow[]> {
    return this.dataSource.query(
      `SELECT a.scan_id AS "scanId", a.attempt, a.status, a.worker_id AS "workerId", a.dispatched_at AS "dispatchedAt",
              a.started_at AS "startedAt", a.finished_at AS "finishedAt", a.error_code AS "errorCode", a.error_message AS "errorMessage"
       FROM scheduler.scan_attempts a JOIN scheduler.scans s ON s.id = a.scan_id
       WHERE s.tenant_id = $1 AND a.scan_id = $2 ORDER BY a.attempt ASC`,
      [tenantId, scanId],
    );
  }

  /** Newest first, keyset-paginated on (created_at, id); a cursor we did not issue is an InvalidCursorError. */
  async list(tenantId: string, query: ScanListQuery): Promise<Page<ScanRow>> {
    const params: unknown[] = [tenantId, query.limit + 1];
    const where = ['s.tenant_id = $1'];
    if (query.image) where.push(`s.image = $${params.push(query.image)}`);
    if (query.status) where.push(`s.status = $${params.push(query.status)}`);
    if (query.cursor) {
      const [createdAt, id] = SCAN_CURSOR.decode(query.cursor);
      const at = params.push(createdAt);
      where.push(`(s.created_at < $${at}::timestamptz OR (s.created_at = $${at}::timestamptz AND s.id < $${params.push(id)}))`);
    }
    const rows = (await this.dataSource.query(
      `SELECT ${SCAN_COLUMNS}, ${PG_MICROSECOND_TIMESTAMP('s.created_at')} AS "keysetAt"
       FROM scheduler.scans s WHERE ${where.join(' AND ')} ORDER BY s.created_at DESC, s.id DESC LIMIT $2`,
      params,
    )) as (ScanRow & { keysetAt: string })[];
    const items = rows.slice(0, query.limit).map(({ keysetAt: _keysetAt, ...scan }) => scan);
    const last = rows[query.limit - 1];
    return { items, nextCursor: rows.length > query.limit ? SCAN_CURSOR.encode([last.keysetAt, last.id]) : null };
  }
}
