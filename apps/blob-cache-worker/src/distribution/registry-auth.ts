import { Inject, Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { ApiKeyPrincipal, apiKeyHash, ApiKeyReader, isRevokedBy, KeyRevocations } from '@vulnscan/gateway-data';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { BlobCacheEnv } from '../env';
import { OciError, unauthorized } from './oci-error';

/** Who asks the registry API. */
export type Requester =
  | { readonly kind: 'anonymous' }
  /** A tenant's API key (scans:read, admin or platform:admin). */
  | { readonly kind: 'tenant'; readonly tenantId: string }
  /** The platform's own scanner-worker (CACHE_INTERNAL_TOKEN), reading for `tenantId` when it names one. */
  | { readonly kind: 'internal'; readonly tenantId?: string };

/** A secret from an Authorization header: the password of Basic (its username kept), or a Bearer token. */
export interface PresentedSecret {
  readonly username?: string;
  readonly secret: string;
}

/**
 * Scopes that may pull: reading scans' images is `scans:read`; a tenant `admin` and the operator's
 * `platform:admin` include it. `scans:write` alone does not (a key that only requests scans).
 */
export const PULL_SCOPES: readonly string[] = ['scans:read', 'admin', 'platform:admin'];

/** Tenant ids are short; a longer internal-token username is not one. */
const MAX_TENANT_ID = 100;
/** A verified key is trusted this long before it is looked up again (the gateway's own default). */
const KEY_CACHE_MS = 10_000;
const KEY_CACHE_MAX = 10_000;

/**
 * Reads `Authorization`: `Bearer <secret>` or `Basic base64(<username>:<secret>)` (what docker,
 * containerd and skopeo send for a username/password). No header is undefined; anything else is
 * a 401 naming what is wrong.
 */
export function parseAuthorization(header: string | undefined): PresentedSecret | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  const scheme = match?.[1]?.toLowerCase();
  const value = match?.[2] ?? '';
  if (scheme === 'bearer') return { secret: value };
  if (scheme === 'basic') {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw unauthorized('the Basic credentials are not base64');
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw unauthorized('the Basic credentials are not <username>:<password>');
    const secret = decoded.slice(colon + 1);
    if (secret === '') throw unauthorized('the Basic password is empty: give a tenant API key as the password');
    return { username: decoded.slice(0, colon), secret };
  }
  throw unauthorized('Authorization must be Bearer <API key> or Basic with an API key as the password');
}

/** Constant-time comparison of two secrets (their lengths may differ). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Authenticates /v2/ requests: tenants' API keys (the gateway's, read through its read-only
 * lib) and the platform's internal token. Keys are cached briefly, like the gateway does.
 *
 * Why a token for the scanner-worker rather than letting any only-if-cached read through: such
 * reads never reach upstream, but they would still let anything that can reach this port read
 * every tenant's cached private images by name and tag. The token is a secret only the platform
 * holds, names the tenant it reads for (so `?ns=` resolves to that tenant's upstream and content),
 * and is refused without only-if-cached, so a leaked token cannot make the cache pull with a
 * tenant's upstream credentials.
 */
@Injectable()
export class RegistryAuth {
  private readonly logger = new Logger(RegistryAuth.name);
  private readonly keys = new Map<string, { principal: ApiKeyPrincipal | null; until: number }>();

  constructor(
    @Inject(SERVICE_ENV) private readonly env: BlobCacheEnv,
    private readonly reader: ApiKeyReader,
    revocations: KeyRevocations,
  ) {
    // The gateway's revocations (a deleted tenant's keys, a revoked key) reach this cache at once; KEY_CACHE_MS bounds them otherwise.
    revocations.subscribe(
      (revocation) => {
        for (const [hash, entry] of this.keys) if (entry.principal && isRevokedBy(revocation, entry.principal)) this.keys.delete(hash);
      },
      () => this.keys.clear(),
    );
  }

  async authenticate(header: string | undefined): Promise<Requester> {
    const presented = parseAuthorization(header);
    if (!presented) return { kind: 'anonymous' };
    const token = this.env.CACHE_INTERNAL_TOKEN;
    if (token && sameSecret(presented.secret, token)) {
      const tenantId = presented.username;
      return tenantId && tenantId.length <= MAX_TENANT_ID ? { kind: 'internal', tenantId } : { kind: 'internal' };
    }
    const principal = await this.verify(presented.secret);
    if (!principal) throw unauthorized('the API key is not valid');
    if (!principal.scopes.some((scope) => PULL_SCOPES.includes(scope))) {
      throw new OciError(403, 'DENIED', 'the API key lacks the scope scans:read, which pulling needs');
    }
    return { kind: 'tenant', tenantId: principal.tenantId };
  }

  /**
   * Who may pull: anyone with a key or the internal token; without one, only when
   * CACHE_ANONYMOUS_PULLS is on (401 with the Basic challenge otherwise, so clients send their key).
   */
  async requirePuller(header: string | undefined): Promise<Requester> {
    const requester = await this.authenticate(header);
    if (requester.kind === 'anonymous' && !this.env.CACHE_ANONYMOUS_PULLS) {
      throw unauthorized('this cache takes a tenant API key (Bearer, or the password of Basic auth); anonymous pulls are off');
    }
    return requester;
  }

  private async verify(secret: string): Promise<ApiKeyPrincipal | null> {
    const hash = apiKeyHash(secret);
    const cached = this.keys.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    let principal: ApiKeyPrincipal | null;
    try {
      principal = await this.reader.verify(secret);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not look up an API key');
      throw new OciError(503, 'UNAVAILABLE', 'API keys cannot be checked right now; try again', { 'Retry-After': '5' });
    }
    if (this.keys.size >= KEY_CACHE_MAX) this.keys.clear();
    this.keys.set(hash, { principal, until: Date.now() + KEY_CACHE_MS });
    return principal;
  }
}
