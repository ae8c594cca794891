import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { GatewayErrorCode } from '@vulnscan/contracts';
import { keysetCursor } from '@vulnscan/persistence';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { isOperator } from '../auth/scope-check';
import { apiError } from '../errors';
import { Scope } from '../entities';
import { PageQuery } from '../page-query.dto';
import { AuditLog } from './audit-log.service';

/** The audit log pages on (created_at, id), newest first. */
const AUDIT_CURSOR = keysetCursor(['timestamp', 'uuid']);

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ description: "Operators only: one tenant's entries (every tenant's without it)" })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  tenant_id?: string;
}

/** A tenant's `admin` reads its own tenant's entries; the operator (`platform:admin`) the whole platform's. */
@ApiTags('admin')
@Controller('api/v1/audit')
@Authenticated(Scope.Admin)
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOperation({ summary: "The audit log, newest first: the key's tenant's, or for an operator every tenant's" })
  async list(@Query() query: AuditQuery, @CurrentPrincipal() principal: Principal) {
    const limit = query.limit ?? 100;
    const before = query.cursor ? AUDIT_CURSOR.decode(query.cursor) : undefined;
    const tenantId = isOperator(principal.scopes) ? query.tenant_id : principal.tenantId;
    if (query.tenant_id !== undefined && tenantId !== query.tenant_id)
      throw apiError(GatewayErrorCode.Forbidden, "tenant_id: a tenant admin reads its own tenant's entries only.");
    await this.audit.flush();
    const entries = await this.audit.list(limit + 1, tenantId, before && { createdAt: before[0], id: before[1] });
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
