import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource } from 'typeorm';
import { keysetCursor } from '@vulnscan/persistence';
import { ScanAttemptEntity, ScanEntity, ScanStatus } from './entities';

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

/** Scans page on (created_at, id), newest first. */
const SCAN_CURSOR = keysetCursor(['timestamp', 'uuid']);

/**
 * Read-only access to the scheduler's slice for other services (the gateway). Every query
 * takes the tenant id: there is no way to read another tenant's scans through it.
 */
@Injectable()
export class ScanReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findOne(tenantId: string, scanId: string): Promise<ScanEntity | null> {
    return this.dataSource.getRepository(ScanEntity).findOneBy({ tenantId, id: scanId });
  }

  attempts(tenantId: string, scanId: string): Promise<ScanAttemptEntity[]> {
    return this.dataSource
      .getRepository(ScanAttemptEntity)
      .createQueryBuilder('a')
      .innerJoin(ScanEntity, 's', 's.id = a.scan_id')
      .where('s.tenant_id = :tenantId AND a.scan_id = :scanId', { tenantId, scanId })
      .orderBy('a.attempt', 'ASC')
      .getMany();
  }

  /** Newest first, keyset-paginated on (created_at, id); a cursor we did not issue is an InvalidCursorError. */
  async list(tenantId: string, query: ScanListQuery): Promise<Page<ScanEntity>> {
    const builder = this.dataSource
      .getRepository(ScanEntity)
      .createQueryBuilder('s')
      .where('s.tenant_id = :tenantId', { tenantId })
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .limit(query.limit + 1);
    if (query.image) builder.andWhere('s.image = :image', { image: query.image });
    if (query.status) builder.andWhere('s.status = :status', { status: query.status });
    if (query.cursor) {
      const [createdAt, id] = SCAN_CURSOR.decode(query.cursor);
      builder.andWhere(
        new Brackets((where) => {
          where.where('s.created_at < :createdAt', { createdAt }).orWhere('s.created_at = :createdAt AND s.id < :id', { createdAt, id });
        }),
      );
    }
    const rows = await builder.getMany();
    const items = rows.slice(0, query.limit);
    return {
      items,
      nextCursor:
        rows.length > query.limit
          ? SCAN_CURSOR.encode([items[items.length - 1].createdAt.toISOString(), items[items.length - 1].id])
          : null,
    };
  }
}
