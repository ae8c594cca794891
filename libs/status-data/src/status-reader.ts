import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ManifestSecurityStatusEntity, SecurityStatus } from './entities';

export interface StatusPage {
  items: ManifestSecurityStatusEntity[];
  /** Pass back as `after` for the next page; null on the last one. */
  nextCursor: string | null;
}

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

  /** Newest first (ids are UUIDv7); `after` is the id of the last row of the previous page. */
  async list(tenantId: string, options: { status?: SecurityStatus; after?: string; limit: number }): Promise<StatusPage> {
    const query = this.dataSource
      .getRepository(ManifestSecurityStatusEntity)
      .createQueryBuilder('s')
      .where('s.tenant_id = :tenantId', { tenantId })
      .orderBy('s.id', 'DESC')
      .limit(options.limit + 1);
    if (options.status) query.andWhere('s.status = :status', { status: options.status });
    if (options.after) query.andWhere('s.id < :after', { after: options.after });
    const rows = await query.getMany();
    const items = rows.slice(0, options.limit);
    return { items, nextCursor: rows.length > options.limit ? items[items.length - 1].id : null };
  }
}
