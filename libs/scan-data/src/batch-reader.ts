import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ScanTargetKindName } from '@vulnscan/contracts';
import { BatchSource, ScanStatus } from './scan-status';
import { keysetCursor } from '@vulnscan/persistence';

export type StatusCounts = Record<ScanStatus, number>;

/** A `scheduler.schedules` row as other services see it. */
export interface ScheduleRow {
  id: string;
  tenantId: string;
  name: string;
  targetKind: ScanTargetKindName;
  image: string | null;
  registry: string | null;
  repository: string | null;
  tagFilter: string | null;
  intervalSeconds: number | null;
  cron: string | null;
  enabled: boolean;
  nextRunAt: Date;
  lastRunAt: Date | null;
  lastBatchId: string | null;
  lastError: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A `scheduler.scan_batches` row as other services see it. */
export interface BatchRow {
  id: string;
  tenantId: string;
  source: BatchSource;
  scheduleId: string | null;
  count: number;
  skipped: number;
  deduplicated: number;
  createdAt: Date;
  canceledAt: Date | null;
}

export interface BatchSummary {
  batch: BatchRow;
  counts: StatusCounts;
}

const emptyCounts = (): StatusCounts => ({ queued: 0, running: 0, completed: 0, failed: 0, canceled: 0 });

/** Pages on the UUIDv7 id (creation order), newest first. */
const ID_CURSOR = keysetCursor(['uuid']);

const SCHEDULE_COLUMNS = `id, tenant_id AS "tenantId", name, target_kind AS "targetKind", image, registry, repository,
  tag_filter AS "tagFilter", interval_seconds AS "intervalSeconds", cron, enabled, next_run_at AS "nextRunAt",
  last_run_at AS "lastRunAt", last_batch_id AS "lastBatchId", last_error AS "lastError", created_by AS "createdBy",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Read-only access to schedules and batches for other services (the gateway), in plain SQL; always per tenant. */
@Injectable()
export class BatchReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async schedule(tenantId: string, id: string): Promise<ScheduleRow | null> {
    const [row] = (await this.dataSource.query(`SELECT ${SCHEDULE_COLUMNS} FROM scheduler.schedules WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ])) as ScheduleRow[];
    return row ?? null;
  }

  /** Newest first; `cursor` is the previous page's nextCursor (an InvalidCursorError if we did not issue it). */
  async schedules(
    tenantId: string,
    { cursor, limit }: { cursor?: string; limit: number },
  ): Promise<{ items: ScheduleRow[]; nextCursor: string | null }> {
    const params: unknown[] = [tenantId, limit + 1];
    const afterClause = cursor ? `AND id < $${params.push(ID_CURSOR.decode(cursor)[0])}` : '';
    const rows = (await this.dataSource.query(
      `SELECT ${SCHEDULE_COLUMNS} FROM scheduler.schedules WHERE tenant_id = $1 ${afterClause} ORDER BY id DESC LIMIT $2`,
      params,
    )) as ScheduleRow[];
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? ID_CURSOR.encode([items[items.length - 1].id]) : null };
  }

  /** Batches with their scans counted per status, for the ids given (missing ones left out). */
  async batches(tenantId: string, ids: string[]): Promise<Map<string, BatchSummary>> {
    if (ids.length === 0) return new Map();
    const batches = (await this.dataSource.query(
      `SELECT id, tenant_id AS "tenantId", source, schedule_id AS "scheduleId", count, skipped, deduplicated,
              created_at AS "createdAt", canceled_at AS "canceledAt"
       FROM scheduler.scan_batches WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tenantId, ids],
    )) as BatchRow[];
    const summaries = new Map(batches.map((batch) => [batch.id, { batch, counts: emptyCounts() }]));
    if (batches.length === 0) return summaries;
    const rows = (await this.dataSource.query(
      `SELECT batch_id, status, count(*)::int AS n FROM scheduler.scans
       WHERE batch_id = ANY($1::uuid[]) AND tenant_id = $2 GROUP BY batch_id, status`,
      [batches.map((batch) => batch.id), tenantId],
    )) as { batch_id: string; status: ScanStatus; n: number }[];
    for (const row of rows) summaries.get(row.batch_id)!.counts[row.status] = row.n;
    return summaries;
  }

  async batch(tenantId: string, id: string): Promise<BatchSummary | undefined> {
    return (await this.batches(tenantId, [id])).get(id);
  }
}
