import { IsString, IsUUID, Matches, MaxLength, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { REGISTRY_HOST_PATTERN } from './registry-credentials';

export const UPSTREAM_URL_MAX_LENGTH = 2048;

/**
 * What is wrong with an upstream URL on its face (its host's addresses are checked by the blob
 * cache, which owns upstreams): an absolute http(s) URL of a registry root, without credentials,
 * path, query or fragment (the registry client puts `/v2/` directly below the host). Undefined
 * when it is fine.
 */
export function upstreamUrlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'url must be an absolute http(s) URL';
  if (value.length > UPSTREAM_URL_MAX_LENGTH) return `url must be at most ${UPSTREAM_URL_MAX_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `url must use http or https, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username || url.password) return 'url must not contain credentials (user:password@); give username and password instead';
  if (!url.hostname) return 'url must name a host';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return 'url must be the registry root (no path, query or fragment), e.g. https://ghcr.io';
  }
  return undefined;
}

/** class-validator rule for upstreamUrlProblem, its message naming what is wrong. */
export const IsUpstreamUrl = (): PropertyDecorator =>
  ValidateBy({
    name: 'isUpstreamUrl',
    validator: {
      validate: (value: unknown) => upstreamUrlProblem(value) === undefined,
      defaultMessage: (args) => upstreamUrlProblem(args?.value) ?? 'url is invalid',
    },
  });

/**
 * Creates or replaces a tenant's upstream for one registry host (owned by the blob-cache-worker):
 * pulls through the cache with `?ns=<registry>` and the tenant's API key go there, with the
 * credentials when given (both or neither).
 */
export class PutUpstreamCommand {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @Matches(REGISTRY_HOST_PATTERN, { message: 'registry must be a host or host:port' })
  @MaxLength(255)
  registry!: string;

  @IsUpstreamUrl()
  url!: string;

  @ValidateIf((command: PutUpstreamCommand) => command.username !== undefined || command.password !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  username?: string;

  @ValidateIf((command: PutUpstreamCommand) => command.username !== undefined || command.password !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  password?: string;
}

export class DeleteUpstreamCommand {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @IsUUID()
  id!: string;
}

/** Where an upstream comes from: the cache's CACHE_UPSTREAMS (read-only) or a tenant's API call. */
export type UpstreamSource = 'config' | 'api';

/** An upstream as anyone but the blob cache sees it: never its password. */
export class UpstreamView {
  id!: string;
  registry!: string;
  url!: string;
  source!: UpstreamSource;
  username!: string | null;
  hasCredentials!: boolean;
  createdAt!: string;
  updatedAt!: string;
}
