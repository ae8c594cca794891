import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { keysetCursor } from '@vulnscan/persistence';
import { Authenticated } from '../auth/auth.guard';
import { Scope } from '../entities';
import { PageQuery } from '../page-query.dto';
import { AuditLog } from './audit-log.service';

/** The audit log pages on (created_at, id), newest first. */
const AUDIT_CURSOR = keysetCursor(['timestamp', 'uuid']);

@ApiTags('admin')
@Controller('api/v1/audit')
@Authenticated(Scope.Admin)
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first' })
  async list(@Query() query: PageQuery) {
    const limit = query.limit ?? 100;
    const before = query.cursor ? AUDIT_CURSOR.decode(query.cursor) : undefined;
    await this.audit.flush();
    const entries = await this.audit.list(limit + 1, before && { createdAt: before[0], id: before[1] });
    const items = entries.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((entry) => ({
        id: entry.id,
        tenant_id: entry.tenantId,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        status: entry.status,
        correlation_id: entry.correlationId,
        created_at: entry.createdAt.toISOString(),
      })),
      next_cursor: entries.length > limit ? AUDIT_CURSOR.encode([last.createdAt.toISOString(), last.id]) : null,
    };
  }
}
