import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { GatewayErrorCode } from '@vulnscan/contracts';
import { Scope } from '../entities';
import { ApiKeys, Principal } from './api-keys.service';
import { apiError } from '../errors';

const SCOPES = 'vulnscan:scopes';

type AuthenticatedRequest = Request & { principal?: Principal };

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeys,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw apiError(
        GatewayErrorCode.Unauthorized,
        'An API key is required: Authorization: Bearer <key>.',
        {},
        { 'WWW-Authenticate': 'Bearer' },
      );
    const principal = await this.keys.verify(match[1]);
    if (!principal) throw apiError(GatewayErrorCode.Unauthorized, 'The API key is not valid.', {}, { 'WWW-Authenticate': 'Bearer' });
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES, [context.getHandler(), context.getClass()]) ?? [];
    const missing = required.filter((scope) => !principal.scopes.includes(scope) && !principal.scopes.includes(Scope.Admin));
    if (missing.length > 0) throw apiError(GatewayErrorCode.Forbidden, `The API key lacks the scope ${missing.join(', ')}.`);
    request.principal = principal;
    return true;
  }
}

/** Every gateway endpoint under /api/v1 is authenticated; `scopes` are all required. */
export const Authenticated = (...scopes: Scope[]) =>
  applyDecorators(
    SetMetadata(SCOPES, scopes),
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No or invalid API key' }),
    ApiForbiddenResponse({ description: 'The key lacks a required scope' }),
  );

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw apiError(GatewayErrorCode.Unauthorized, 'Not authenticated.');
  return principal;
});
