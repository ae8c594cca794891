import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor } from '@vulnscan/persistence';
import { ScanBatchEntity, ScanStatus, ScheduleEntity } from './entities';

export type StatusCounts = Record<ScanStatus, number>;

export interface BatchSummary {
  batch: ScanBatchEntity;
  counts: StatusCounts;
}

const emptyCounts = (): StatusCounts => ({ queued: 0, running: 0, completed: 0, failed: 0, canceled: 0 });

/** Pages on the UUIDv7 id (creation order), newest first. */
const ID_CURSOR = keysetCursor(['uuid']);

/** Read-only access to schedules and batches for other services (the gateway); always per tenant. */
@Injectable()
export class BatchReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  schedule(tenantId: string, id: string): Promise<ScheduleEntity | null> {
    return this.dataSource.getRepository(ScheduleEntity).findOneBy({ tenantId, id });
  }

  /** Newest first; `cursor` is the previous page's nextCursor (an InvalidCursorError if we did not issue it). */
  async schedules(
    tenantId: string,
    { cursor, limit }: { cursor?: string; limit: number },
  ): Promise<{ items: ScheduleEntity[]; nextCursor: string | null }> {
    const builder = this.dataSource
      .getRepository(ScheduleEntity)
      .createQueryBuilder('s')
      .where('s.tenant_id = :tenantId', { tenantId })
      .orderBy('s.id', 'DESC')
      .limit(limit + 1);
    if (cursor) builder.andWhere('s.id < :after', { after: ID_CURSOR.decode(cursor)[0] });
    const rows = await builder.getMany();
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? ID_CURSOR.encode([items[items.length - 1].id]) : null };
  }

  /** Batches with their scans counted per status, for the ids given (missing ones left out). */
  async batches(tenantId: string, ids: string[]): Promise<Map<string, BatchSummary>> {
    if (ids.length === 0) return new Map();
    const batches = await this.dataSource
      .getRepository(ScanBatchEntity)
      .createQueryBuilder('b')
      .where('b.tenant_id = :tenantId AND b.id IN (:...ids)', { tenantId, ids })
      .getMany();
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
