import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import {
  Agents,
  createAgents,
  discard,
  followRedirects,
  HostPort,
  hostEntryMatches,
  hostWithPort,
  OutboundHostPolicy,
  outboundGet,
  OutboundResponse,
  readErrorBody,
  splitHostPort,
} from '@vulnscan/outbound-http';
import { DOCKER_HUB } from '@vulnscan/image-reference';
import type { BreakerOptions, RegistryCredentials, RegistryMirror } from '../types';
import { RegistryAuthenticator } from './authenticator';
import { HostBreakers } from './breakers';
import { RequestContext, describe, errorForNetworkFailure, errorForResponse, isCallerAbort, unauthorized } from './error-mapping';

export interface RegistryHttpOptions {
  readonly insecureRegistries: readonly string[];
  readonly policy?: OutboundHostPolicy;
  readonly credentialsFor?: (registryHost: string) => Promise<RegistryCredentials | undefined>;
  readonly timeoutMs: number;
  readonly userAgent: string;
  readonly breaker?: BreakerOptions;
  readonly mirror?: RegistryMirror;
}

export interface RegistryGet {
  readonly registry: string;
  readonly repository: string;
  /** Path below the registry root, e.g. `/v2/library/alpine/manifests/3.10`. */
  readonly path: string;
  /** For messages: `manifest 3.10`, `blob sha256:…`. */
  readonly what: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** The token scope to ask for; `repository:<repository>:pull` unless given (the catalog needs `registry:catalog:*`). */
  readonly scope?: string;
}

const MAX_REDIRECTS = 5;
/** Docker Hub's name in references is not where its API lives. */
const DOCKER_HUB_API = 'registry-1.docker.io';

/**
 * GET against a registry with everything a request needs: scheme choice, host policy, auth
 * challenges, redirects, timeouts, error mapping and the per-host breaker. Returns a 2xx
 * response whose body is still unread.
 */
export class RegistryHttp {
  private readonly agents: Agents = createAgents();
  private readonly breakers: HostBreakers;
  private readonly auth: RegistryAuthenticator;
  private readonly insecure: HostPort[];
  private readonly mirror?: URL;

  constructor(private readonly options: RegistryHttpOptions) {
    this.breakers = new HostBreakers(options.breaker);
    this.auth = new RegistryAuthenticator((url, authorization, signal) => this.follow(url, {}, authorization, signal));
    this.insecure = options.insecureRegistries.map((entry) => {
      const parsed = splitHostPort(entry);
      if (!parsed) throw new Error(`insecure registry entry "${entry}" is not a host or host:port`);
      return parsed;
    });
    if (options.mirror) {
      this.mirror = new URL(options.mirror.endpoint);
      if (this.mirror.protocol !== 'http:' && this.mirror.protocol !== 'https:') {
        throw new Error(`registry mirror "${options.mirror.endpoint}" is not an http(s) URL`);
      }
    }
  }

  async get(request: RegistryGet): Promise<OutboundResponse> {
    const ctx: RequestContext = { registry: request.registry, repository: request.repository, what: request.what };
    // Looked up outside the breaker: a failing credential store says nothing about the registry's health.
    // A mirror never gets the registry's credentials.
    const credentials = this.mirror ? undefined : await this.options.credentialsFor?.(request.registry);
    return this.breakers.run(request.registry, async () => {
      try {
        return await this.exchange(request, ctx, credentials);
      } catch (error) {
        if (isCallerAbort(error, request.signal)) throw error;
        throw errorForNetworkFailure(error, ctx);
      }
    });
  }

  close(): void {
    this.breakers.shutdown();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async exchange(
    request: RegistryGet,
    ctx: RequestContext,
    credentials: RegistryCredentials | undefined,
  ): Promise<OutboundResponse> {
    const url = new URL(request.path, this.mirror ?? this.endpointFor(request.registry));
    if (this.mirror) url.searchParams.set('ns', request.registry);
    const scope = request.scope ?? `repository:${request.repository}:pull`;
    const headers: Record<string, string> = { 'User-Agent': this.options.userAgent, ...request.headers };
    if (this.options.mirror?.onlyIfCached) headers['Cache-Control'] = 'only-if-cached';

    let authorization = this.options.mirror?.authorization ?? this.auth.cachedAuthorization(request.registry, scope, credentials);
    let response = await this.follow(url, headers, authorization, request.signal);
    if (response.status === 401) {
      const challenge = response.headers['www-authenticate'];
      discard(response.body);
      this.auth.forget(request.registry, scope);
      const answer = { registry: request.registry, scope, header: challenge, credentials, ctx, signal: request.signal };
      authorization = await this.auth.answer(answer);
      if (!authorization) throw unauthorized(ctx, credentials !== undefined, 'HTTP 401');
      response = await this.follow(url, headers, authorization, request.signal);
    }
    if (response.status >= 200 && response.status < 300) return response;
    const body = await readErrorBody(response.body);
    if (response.status === 504 && this.options.mirror?.onlyIfCached) {
      throw new ScanError(
        ScanErrorCode.LayersUnavailable,
        `${describe(ctx)} is not in the cache at ${url.host} yet (HTTP 504 to only-if-cached)`,
      );
    }
    throw errorForResponse({ status: response.status, headers: response.headers, body }, ctx, credentials !== undefined);
  }

  /**
   * Registries redirect blob GETs to object storage; the target is policy-checked like the registry
   * and never sees the registry's Authorization header (it would leak the token or password).
   */
  private async follow(
    start: URL,
    headers: Readonly<Record<string, string>>,
    authorization: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<OutboundResponse> {
    const send = (url: URL) => {
      const sameOrigin = url.origin === start.origin;
      return this.sendChecked(url, authorization && sameOrigin ? { ...headers, Authorization: authorization } : headers, signal);
    };
    return followRedirects(start, send, {
      maxRedirects: MAX_REDIRECTS,
      checkHop: (from, next) => {
        if (next.protocol !== 'https:' && !(next.protocol === 'http:' && (from.protocol === 'http:' || this.isInsecure(next.host)))) {
          throw new ScanError(
            ScanErrorCode.HostNotAllowed,
            `refusing redirect from ${from.host} to ${next.protocol}//${next.host}: only https, or http to an insecure registry`,
          );
        }
      },
    });
  }

  private async sendChecked(url: URL, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<OutboundResponse> {
    const trusted = this.mirror !== undefined && url.origin === this.mirror.origin;
    const addresses = this.options.policy && !trusted ? await this.options.policy.check(hostWithPort(url)) : undefined;
    return outboundGet({ url, headers, signal, timeoutMs: this.options.timeoutMs, addresses }, this.agents);
  }

  private endpointFor(registry: string): string {
    if (registry === DOCKER_HUB) return `https://${DOCKER_HUB_API}`;
    return `${this.isInsecure(registry) ? 'http' : 'https'}://${registry}`;
  }

  private isInsecure(host: string): boolean {
    const target = splitHostPort(host);
    return target !== undefined && this.insecure.some((entry) => hostEntryMatches(entry, target));
  }
}
