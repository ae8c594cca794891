import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor } from '@vulnscan/persistence';
import { ManifestSecurityStatusEntity, SecurityStatus } from './entities';

export interface StatusPage {
  items: ManifestSecurityStatusEntity[];
  /** Pass back as `after` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** Pages on the UUIDv7 id (creation order), newest first. */
const ID_CURSOR = keysetCursor(['uuid']);

/** Read-only access to manifests' security status, always within one tenant. */
@Injectable()
export class StatusReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every repository holding this manifest, or only `upstream`/`repository` when given. */
  find(
    tenantId: string,
    manifestDigest: string,
    where: { upstream?: string; repository?: string } = {},
  ): Promise<ManifestSecurityStatusEntity[]> {
    return this.dataSource.getRepository(ManifestSecurityStatusEntity).find({
      where: { tenantId, manifestDigest, ...where },
      order: { upstream: 'ASC', repository: 'ASC' },
    });
  }

  /** Newest first; `cursor` is the previous page's nextCursor (an InvalidCursorError if we did not issue it). */
  async list(tenantId: string, options: { status?: SecurityStatus; cursor?: string; limit: number }): Promise<StatusPage> {
    const query = this.dataSource
      .getRepository(ManifestSecurityStatusEntity)
      .createQueryBuilder('s')
      .where('s.tenant_id = :tenantId', { tenantId })
      .orderBy('s.id', 'DESC')
      .limit(options.limit + 1);
    if (options.status) query.andWhere('s.status = :status', { status: options.status });
    if (options.cursor) query.andWhere('s.id < :after', { after: ID_CURSOR.decode(options.cursor)[0] });
    const rows = await query.getMany();
    const items = rows.slice(0, options.limit);
    return { items, nextCursor: rows.length > options.limit ? ID_CURSOR.encode([items[items.length - 1].id]) : null };
  }
}
