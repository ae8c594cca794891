import { Scope } from '../entities';

/** The API key of an `Authorization: Bearer <key>` header (scheme case-insensitive); null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? match[1] : null;
}

/**
 * What a scope grants besides itself. A tenant's `admin` never reaches past its tenant, so it
 * grants only that tenant's reads and writes; only `platform:admin` grants everything.
 */
const IMPLIED: Readonly<Record<Scope, readonly Scope[]>> = {
  [Scope.ScansRead]: [],
  [Scope.ScansWrite]: [],
  [Scope.Admin]: [Scope.ScansRead, Scope.ScansWrite],
  [Scope.PlatformAdmin]: [Scope.ScansRead, Scope.ScansWrite, Scope.Admin],
};

/** The scopes a key holds, its granted ones and everything they imply. */
export function effectiveScopes(granted: readonly Scope[]): ReadonlySet<Scope> {
  return new Set(granted.flatMap((scope) => [scope, ...IMPLIED[scope]]));
}

/** The required scopes the key lacks: every one must be held, directly or implied. */
export function missingScopes(required: readonly Scope[], granted: readonly Scope[]): Scope[] {
  const held = effectiveScopes(granted);
  return required.filter((scope) => !held.has(scope));
}

/** Whether the key is the operator's: the only scope that crosses tenants. */
export const isOperator = (granted: readonly Scope[]): boolean => granted.includes(Scope.PlatformAdmin);
