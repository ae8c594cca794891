import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { GatewayErrorCode } from '@vulnscan/contracts';
import { Authenticated } from '../auth/auth.guard';
import { Scope } from '../entities';
import { PageQuery } from '../page-query.dto';
import { AuditLog } from './audit-log.service';
import { apiError } from '../errors';

@ApiTags('admin')
@Controller('api/v1/audit')
@Authenticated(Scope.Admin)
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first' })
  async list(@Query() query: PageQuery) {
    const limit = query.limit ?? 100;
    let before: { createdAt: string; id: string } | undefined;
    if (query.cursor) {
      const [createdAt, id] = Buffer.from(query.cursor, 'base64url').toString('utf8').split('|');
      if (!id || Number.isNaN(Date.parse(createdAt)))
        throw apiError(GatewayErrorCode.InvalidCursor, 'cursor is not one this API issued', { fields: ['cursor'] });
      before = { createdAt, id };
    }
    await this.audit.flush();
    const entries = await this.audit.list(limit + 1, before);
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
      next_cursor: entries.length > limit ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString('base64url') : null,
    };
  }
}
