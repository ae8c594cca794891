import { Scope } from '../entities';

/** The API key of an `Authorization: Bearer <key>` header (scheme case-insensitive); null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? match[1] : null;
}

/** The required scopes the key lacks: every one must be granted, and `admin` grants them all. */
export function missingScopes(required: readonly Scope[], granted: readonly Scope[]): Scope[] {
  if (granted.includes(Scope.Admin)) return [];
  return required.filter((scope) => !granted.includes(scope));
}
