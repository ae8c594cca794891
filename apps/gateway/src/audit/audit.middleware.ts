import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Correlation } from '@vulnscan/observability';
import type { Principal } from '../auth/api-keys.service';
import { AuditLog } from './audit-log.service';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Who did what to which target, when, and how it ended — for every state-changing request made
 * with a valid key, refused ones included (a middleware sees the 403s and 429s a guard answers).
 * A request without a valid key is no one's: it is counted in
 * `vulnscan_gateway_unauthenticated_requests_total` instead, so a flood of them writes no rows.
 */
@Injectable()
export class AuditMiddleware implements NestMiddleware {
  constructor(private readonly audit: AuditLog) {}

  use(request: Request & { principal?: Principal }, response: Response, next: NextFunction): void {
    if (STATE_CHANGING.has(request.method)) {
      const correlationId = Correlation.current()?.correlationId ?? null;
      response.once('finish', () => {
        if (!request.principal) return;
        const route = (request.route as { path?: string } | undefined)?.path;
        this.audit.record({
          tenantId: request.principal.tenantId,
          actor: request.principal.keyId,
          action: `${request.method} ${route ? `${request.baseUrl}${route}` : request.originalUrl.split('?')[0]}`,
          target: Object.values(request.params ?? {}).join('/') || null,
          status: response.statusCode,
          correlationId,
        });
      });
    }
    next();
  }
}
