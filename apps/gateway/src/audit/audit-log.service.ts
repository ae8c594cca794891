import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AuditEntryEntity } from '../entities';

export type AuditRecord = Omit<AuditEntryEntity, 'id' | 'createdAt'>;

/**
 * Writes audit entries in small batches off the request path (a POST must not wait for its own
 * audit row), flushing at least every 100 ms and on shutdown.
 */
@Injectable()
export class AuditLog implements OnApplicationShutdown {
  private readonly logger = new Logger(AuditLog.name);
  private pending: AuditEntryEntity[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  record(entry: AuditRecord): void {
    this.pending.push({ ...entry, id: uuidv7(), createdAt: new Date() });
    if (this.pending.length >= 200) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 100);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing
      .then(() => this.dataSource.getRepository(AuditEntryEntity).insert(batch))
      .then(() => undefined)
      .catch((error: unknown) => this.logger.error({ err: error, lost: batch.length }, 'audit entries could not be written'));
    return this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Entries newest first: one tenant's, or every one (unauthenticated requests' too) when `tenantId` is undefined. */
  async list(limit: number, tenantId: string | undefined, before?: { createdAt: string; id: string }): Promise<AuditEntryEntity[]> {
    const query = this.dataSource
      .getRepository(AuditEntryEntity)
      .createQueryBuilder('a')
      .where('TRUE')
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(limit);
    if (tenantId !== undefined) query.andWhere('a.tenant_id = :tenantId', { tenantId });
    if (before) query.andWhere('(a.created_at, a.id) < (:createdAt, :id)', before);
    return query.getMany();
  }
}
