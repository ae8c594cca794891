import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { CommaList, IsSecret, ManifestBudgetEnv, ToBool, ToInt } from '@vulnscan/config';
import { upstreamsProblem } from './upstreams/upstream-config';

@ValidatorConstraint({ name: 'upstreams' })
class UpstreamList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return upstreamsProblem(value) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return upstreamsProblem(args.value) ?? 'is invalid';
  }
}

export class BlobCacheEnv extends ManifestBudgetEnv {
  /**
   * Upstream registries, comma-separated `<registry host>=<url>[@<tenant>|<tenant>…]`; the first
   * one serves requests without `?ns=`. http:// URLs are spoken to in plain HTTP. An entry serves
   * the tenants it names (`*`: all), without `@` the bootstrap tenant only. Example:
   * `docker.io=https://registry-1.docker.io@*,127.0.0.1:5555=http://127.0.0.1:5555@team-a|default`.
   */
  @IsString()
  @Validate(UpstreamList)
  CACHE_UPSTREAMS = 'docker.io=https://registry-1.docker.io';

  /**
   * Pulls without a key, through configured upstreams serving the bootstrap tenant (whom their
   * cache scans then belong to). Off, every /v2/ request takes a tenant API key (401 otherwise).
   */
  @ToBool()
  @IsBoolean()
  CACHE_ANONYMOUS_PULLS = false;

  /**
   * Bytes of blobs storage may hold; past it the least recently used blobs are evicted (never one
   * being served, downloading, or needed by a manifest not complete yet). 0: no limit.
   */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  CACHE_MAX_BYTES = 10 * 1024 ** 3;

  /** A blob read or placed this recently is not evicted (the reads of other replicas are not known here). */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(24 * 3600)
  CACHE_EVICTION_GRACE_SECONDS = 60;

  /** Where blobs are stored, content addressed (spool files live below it, on the same filesystem). */
  @IsString()
  CACHE_STORAGE_DIR = 'tmp/blob-cache';

  /** Seconds a tag is served from the cache before it is revalidated upstream (digests never are). */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600)
  CACHE_TAG_TTL_SECONDS = 300;

  /** Background blob downloads this process runs at once; 0 leaves blobs to be placed by client pulls. */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(64)
  CACHE_DOWNLOAD_CONCURRENCY = 4;

  /** Download attempts of one blob before it is marked failed (a later manifest pull naming it starts over). */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100)
  CACHE_DOWNLOAD_MAX_ATTEMPTS = 8;

  /** First retry delay of a failed download, in seconds; doubles per attempt up to an hour. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(3600)
  CACHE_DOWNLOAD_RETRY_SECONDS = 5;

  /** How long a claimed download stays with its process without a renewal (a crashed process's claims expire). */
  @ToInt()
  @IsInt()
  @Min(10)
  @Max(3600)
  CACHE_DOWNLOAD_LEASE_SECONDS = 120;

  /** How often the download backlog in Postgres is polled (new manifests wake the downloader at once). */
  @ToInt()
  @IsInt()
  @Min(50)
  @Max(600000)
  CACHE_DOWNLOAD_POLL_MS = 2000;

  /** Upstream request timeout: until the answer starts, then for every pause in a body. */
  @ToInt()
  @IsInt()
  @Min(1000)
  @Max(600000)
  CACHE_UPSTREAM_TIMEOUT_MS = 30000;

  /** Levels of indexes one manifest request follows (2: an index of indexes); deeper nesting is refused. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(4)
  INDEX_MAX_DEPTH = 2;

  /** Manifests one manifest request reads in all (an index and its distinct descendants). */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100_000)
  MANIFEST_PULL_MAX_COUNT = 1024;

  /**
   * Private or loopback hosts (host, host:port or CIDR) that tenants' upstreams from the API may
   * point at. API upstream URLs are tenant input: every connection to them passes the outbound
   * host policy (no metadata or link-local addresses ever, private ones only when listed here).
   */
  @CommaList()
  @IsString({ each: true })
  CACHE_ALLOWED_HOSTS: string[] = [];

  /** Seals tenants' upstream passwords at rest (32 bytes, hex or base64); without it upstreams with credentials are refused (503). */
  @IsOptional()
  @Matches(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'must be 32 bytes as 64 hex characters or base64' })
  @IsSecret()
  CACHE_ENCRYPTION_KEY?: string;

  /**
   * A platform-internal secret the scanner-worker presents (`Basic <tenant>:<token>`) to read a
   * tenant's cached images with `Cache-Control: only-if-cached`; the same value is set on the
   * worker. Without it, only tenants' API keys reach tenants' upstreams.
   */
  @IsOptional()
  @IsSecret()
  CACHE_INTERNAL_TOKEN?: string;
}
