import { IsString, IsUUID, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { parseOutboundUrl, ValidatedBy } from './outbound-url';
import { REGISTRY_HOST_PATTERN } from './registry-credentials';

export const UPSTREAM_URL_MAX_LENGTH = 2048;

/**
 * What is wrong with an upstream URL on its face (its host's addresses are checked by the blob
 * cache, which owns upstreams): an absolute http(s) URL of a registry root, without credentials,
 * path, query or fragment (the registry client puts `/v2/` directly below the host). Undefined
 * when it is fine.
 */
export function upstreamUrlProblem(value: unknown): string | undefined {
  const url = parseOutboundUrl(value, UPSTREAM_URL_MAX_LENGTH, 'give username and password instead');
  if (typeof url === 'string') return url;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return 'url must be the registry root (no path, query or fragment), e.g. https://ghcr.io';
  }
  return undefined;
}

/** class-validator rule for upstreamUrlProblem, its message naming what is wrong. */
export const IsUpstreamUrl = (): PropertyDecorator => ValidatedBy('isUpstreamUrl', upstreamUrlProblem);

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
