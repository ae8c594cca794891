import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Correlation } from '@vulnscan/observability';
import type { Principal } from '../auth/api-keys.service';
import { AuditLog } from './audit-log.service';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Who did what to which target, when, and how it ended — for every state-changing request,
 * refused ones included (a middleware sees the 401s and 403s a guard answers).
 */
@Injectable()
export class AuditMiddleware implements NestMiddleware {
  constructor(private readonly audit: AuditLog) {}

  use(request: Request & { principal?: Principal }, response: Response, next: NextFunction): void {
    if (STATE_CHANGING.has(request.method)) {
      const correlationId = Correlation.current()?.correlationId ?? null;
      response.once('finish', () => {
        const route = (request.route as { path?: string } | undefined)?.path;
        this.audit.record({
          tenantId: request.principal?.tenantId ?? null,
          actor: request.principal?.keyId ?? null,
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
