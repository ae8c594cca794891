import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { GatewayErrorCode } from '@vulnscan/contracts';
import { Scope } from '../entities';
import { ApiKeys, Principal } from './api-keys.service';
import { apiError } from '../errors';
import { DoorLimits } from '../limits/door-limits.service';
import { clientAddress } from '../limits/trust-proxy';
import { bearerToken, missingScopes } from './scope-check';

/** Metadata key of the scopes an endpoint (or a whole controller) requires. */
export const REQUIRED_SCOPES = 'vulnscan:scopes';

type AuthenticatedRequest = Request & { principal?: Principal };

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeys,
    private readonly reflector: Reflector,
    private readonly limits: DoorLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const secret = bearerToken(request.headers.authorization);
    const address = clientAddress(request);
    if (secret === null) {
      await this.limits.authenticationFailed(address, 'missing_key');
      throw apiError(
        GatewayErrorCode.Unauthorized,
        'An API key is required: Authorization: Bearer <key>.',
        {},
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    const principal = await this.keys.verify(secret, () => this.limits.beforeKeyLookup(address));
    if (!principal) {
      await this.limits.authenticationFailed(address, 'invalid_key');
      throw apiError(GatewayErrorCode.Unauthorized, 'The API key is not valid.', {}, { 'WWW-Authenticate': 'Bearer' });
    }
    // set before the limit and scope checks, so their refusals are audited as this key's
    request.principal = principal;
    await this.limits.admitKey(principal);
    const required =
      this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, [context.getHandler(), context.getClass()]) ?? [];
    const missing = missingScopes(required, principal.scopes);
    if (missing.length > 0) throw apiError(GatewayErrorCode.Forbidden, `The API key lacks the scope ${missing.join(', ')}.`);
    return true;
  }
}

/** Every gateway endpoint under /api/v1 is authenticated; `scopes` are all required. */
export const Authenticated = (...scopes: Scope[]) =>
  applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
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
