import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import type { RegistryCredentials } from '../types';
import { RequestContext, errorForResponse, unauthorized } from './error-mapping';
import { OutboundResponse, discard, readBody, readErrorBody } from '@vulnscan/outbound-http';
import { parseWwwAuthenticate, preferredChallenge } from './www-authenticate';

/** Fetches `url` (policy, redirects and timeouts applied); `authorization` is dropped on a cross-origin redirect. */
export type AuthFetch = (url: URL, authorization: string | undefined, signal?: AbortSignal) => Promise<OutboundResponse>;

export interface ChallengeAnswer {
  readonly registry: string;
  readonly scope: string;
  readonly header: string | string[] | undefined;
  readonly credentials: RegistryCredentials | undefined;
  readonly ctx: RequestContext;
  readonly signal?: AbortSignal;
}

/** Distribution's token spec: `expires_in` defaults to 60 seconds. */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew a little early so a token never expires between our check and the registry's. */
const EXPIRY_MARGIN_SECONDS = 5;
const MAX_TOKEN_RESPONSE = 1024 * 1024;

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/**
 * Answers registry challenges (Basic, or Bearer through the token realm) and remembers the result
 * per (host, scope), so only the first request of a repository pays the 401 round trip.
 */
export class RegistryAuthenticator {
  private readonly tokens = new Map<string, { authorization: string; expiresAt: number }>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly basicHosts = new Set<string>();

  constructor(
    private readonly fetch: AuthFetch,
    private readonly now: () => number = Date.now,
  ) {}

  cachedAuthorization(registry: string, scope: string, credentials: RegistryCredentials | undefined): string | undefined {
    const cached = this.tokens.get(`${registry}|${scope}`);
    if (cached && cached.expiresAt > this.now()) return cached.authorization;
    if (credentials && this.basicHosts.has(registry)) return basicAuthorization(credentials);
    return undefined;
  }

  /** After a 401 the cached token is worthless (revoked, or the registry restarted with a new key). */
  forget(registry: string, scope: string): void {
    this.tokens.delete(`${registry}|${scope}`);
  }

  /** The Authorization value to retry with, or undefined when the challenge cannot be met. */
  async answer(request: ChallengeAnswer): Promise<string | undefined> {
    const challenge = preferredChallenge(parseWwwAuthenticate(request.header));
    if (challenge?.scheme === 'basic') {
      if (!request.credentials) return undefined;
      this.basicHosts.add(request.registry);
      return basicAuthorization(request.credentials);
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params['realm']) return undefined;

    const key = `${request.registry}|${request.scope}`;
    let inFlight = this.pending.get(key);
    if (!inFlight) {
      // Parallel blob fetches of a fresh repository share one token request.
      inFlight = this.fetchToken(request, challenge.params['realm'], challenge.params['service']).finally(() => this.pending.delete(key));
      this.pending.set(key, inFlight);
    }
    return inFlight;
  }

  private async fetchToken(request: ChallengeAnswer, realm: string, service: string | undefined): Promise<string> {
    const ctx: RequestContext = { ...request.ctx, what: `token for ${request.ctx.what}` };
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new ScanError(ScanErrorCode.Unauthorized, `registry ${request.registry} named an invalid token realm "${realm}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ScanError(ScanErrorCode.Unauthorized, `registry ${request.registry} named a non-http token realm "${realm}"`);
    }
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', request.scope);

    const credentials = request.credentials;
    const response = await this.fetch(url, credentials ? basicAuthorization(credentials) : undefined, request.signal);
    if (response.status === 401 || response.status === 403) {
      discard(response.body);
      throw unauthorized(ctx, credentials !== undefined, `token server ${url.host} answered HTTP ${response.status}`);
    }
    if (response.status < 200 || response.status >= 300) {
      throw errorForResponse({ ...response, body: await readErrorBody(response.body) }, ctx, credentials !== undefined);
    }
    const parsed = parseTokenResponse(await readBody(response.body, MAX_TOKEN_RESPONSE));
    if (!parsed) {
      throw new ScanError(ScanErrorCode.Unauthorized, `token server ${url.host} for registry ${request.registry} answered without a token`);
    }

    const authorization = `Bearer ${parsed.token}`;
    const lifetime = Math.max(1, parsed.expiresIn - EXPIRY_MARGIN_SECONDS);
    this.pruneExpired();
    this.tokens.set(`${request.registry}|${request.scope}`, { authorization, expiresAt: this.now() + lifetime * 1000 });
    return authorization;
  }

  private pruneExpired(): void {
    if (this.tokens.size < 1000) return;
    const now = this.now();
    for (const [key, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(key);
  }
}

/** `token` is the spec's name, `access_token` the OAuth2 one; registries send either or both. */
export function parseTokenResponse(body: Buffer): { token: string; expiresIn: number } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const { token, access_token: accessToken, expires_in: expiresIn } = (json ?? {}) as Record<string, unknown>;
  const value = typeof token === 'string' && token ? token : typeof accessToken === 'string' && accessToken ? accessToken : undefined;
  if (!value) return undefined;
  return { token: value, expiresIn: typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : DEFAULT_TOKEN_SECONDS };
}
