import { Transform } from 'class-transformer';
import {
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
import {
  BOOTSTRAP_TENANT,
  CommaList,
  IsSecret,
  ManifestBudgetEnv,
  tenantEntriesProblem,
  tenantSet,
  ToInt,
  WithheldFromErrors,
} from '@vulnscan/config';

export interface RegistryCredential {
  readonly username: string;
  readonly password: string;
  /** Whom the operator's credential serves: `*` or tenant ids. */
  readonly tenants: '*' | ReadonlySet<string>;
}

/** REGISTRY_CREDENTIALS' JSON as the worker uses it; throws naming the host of a bad entry. */
export function parseRegistryCredentials(json: unknown): Record<string, RegistryCredential> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new Error('must be a JSON object of host → {username, password}');
  const credentials: Record<string, RegistryCredential> = {};
  for (const [host, entry] of Object.entries(json as Record<string, unknown>)) {
    const { username, password, tenants } = (entry ?? {}) as { username?: unknown; password?: unknown; tenants?: unknown };
    if (typeof username !== 'string' || typeof password !== 'string') throw new Error(`${host}: needs a string username and password`);
    if (tenants !== undefined && (!Array.isArray(tenants) || !tenants.every((name) => typeof name === 'string')))
      throw new Error(`${host}: tenants must be a list of tenant ids, or ["*"]`);
    credentials[host] = {
      username,
      password,
      tenants: tenantSet((tenants as string[] | undefined) ?? [BOOTSTRAP_TENANT], `${host}: tenants`),
    };
  }
  return credentials;
}

/** Why REGISTRY_CREDENTIALS (the variable's text) does not parse. */
function registryCredentialsProblem(text: unknown): string {
  try {
    parseRegistryCredentials(JSON.parse(String(text)) as unknown);
    return 'is invalid';
  } catch (error) {
    return error instanceof SyntaxError ? 'must be JSON: {"host": {"username": "u", "password": "p"}}' : (error as Error).message;
  }
}

@ValidatorConstraint({ name: 'registryCredentials' })
class RegistryCredentialMap implements ValidatorConstraintInterface {
  /** The transform leaves the text as it was when it does not parse. */
  validate = (value: unknown): boolean => typeof value === 'object' && value !== null;
  defaultMessage = (args: ValidationArguments): string => registryCredentialsProblem(args.value);
}

@ValidatorConstraint({ name: 'tenantEntries' })
class TenantEntryList implements ValidatorConstraintInterface {
  validate = (value: unknown): boolean => tenantEntriesProblem(value) === undefined;
  defaultMessage = (args: ValidationArguments): string => tenantEntriesProblem(args.value) ?? 'is invalid';
}

export class WorkerEnv extends ManifestBudgetEnv {
  /** Scans one worker process runs at once (the work queue's prefetch). */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(64)
  SCAN_CONCURRENCY = 2;

  /** Deliveries of one job before the work queue gives up on it; must match the scheduler's. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100)
  WORK_QUEUE_DELIVERY_LIMIT = 3;

  /**
   * Registries spoken to over plain HTTP (host:port, comma-separated); they are also allowed. Each
   * serves the tenants it names (`host:port@team-a|team-b`, `@*` for every tenant), the bootstrap
   * tenant `default` when it names none.
   */
  @CommaList()
  @Validate(TenantEntryList)
  INSECURE_REGISTRIES: string[] = [];

  /**
   * Private or loopback registry hosts (host, host:port or CIDR) the worker may reach, each for the
   * tenants it names as in INSECURE_REGISTRIES (`10.0.0.0/8@*`); the bootstrap tenant when none.
   */
  @CommaList()
  @Validate(TenantEntryList)
  REGISTRY_ALLOWED_HOSTS: string[] = [];

  /**
   * Credentials per registry host, JSON: {"registry.example.com": {"username": "u", "password": "p",
   * "tenants": ["team-a"]}}; `tenants` (default: the bootstrap tenant) lists whom they serve, `["*"]` everyone.
   */
  @Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    try {
      return parseRegistryCredentials(JSON.parse(value) as unknown);
    } catch {
      return value; // validation names the problem
    }
  })
  @Validate(RegistryCredentialMap)
  @WithheldFromErrors()
  REGISTRY_CREDENTIALS: Record<string, RegistryCredential> = {};

  @ToInt()
  @IsInt()
  @Min(1000)
  @Max(600000)
  REGISTRY_TIMEOUT_MS = 30000;

  /**
   * The platform's blob cache (blob-cache-worker). Scans it asks for read images from it only,
   * with `Cache-Control: only-if-cached`, so scanning adds no upstream pulls.
   */
  @Matches(/^https?:\/\/[^/]+\/?$/, { message: 'must be an http(s) URL of the blob cache, e.g. http://blob-cache-worker:5001' })
  CACHE_URL = 'http://127.0.0.1:5001';

  /**
   * The platform-internal token of the blob cache (its CACHE_INTERNAL_TOKEN). Cache reads then
   * carry `Basic <tenant>:<token>`, so images pulled through a tenant's own upstream are found.
   */
  @IsOptional()
  @IsSecret()
  CACHE_INTERNAL_TOKEN?: string;

  /** Largest uncompressed size of one layer, in bytes (bounds decompression bombs); over it a scan fails with layer_too_large. */
  @ToInt()
  @IsInt()
  @Min(1)
  LAYER_MAX_BYTES = 8 * 1024 ** 3;

  /** Largest size one file in a layer may declare, in bytes; over it a scan fails with layer_too_large. */
  @ToInt()
  @IsInt()
  @Min(1)
  LAYER_MAX_ENTRY_BYTES = 1024 ** 3;

  /** Most entries (files, directories, links, whiteouts) one layer may hold; over it a scan fails with layer_too_large. */
  @ToInt()
  @IsInt()
  @Min(1)
  LAYER_MAX_ENTRIES = 1_000_000;

  /** Most entries across all layers of one image, implied directories included; over it a scan fails with analysis_limit_exceeded. */
  @ToInt()
  @IsInt()
  @Min(1)
  IMAGE_MAX_ENTRIES = 2_000_000;

  /** Most bytes of entry paths and link targets across all layers of one image; over it a scan fails with analysis_limit_exceeded. */
  @ToInt()
  @IsInt()
  @Min(1)
  IMAGE_MAX_PATH_BYTES = 64 * 1024 ** 2;

  /**
   * Most symlink resolution steps (path components walked, links followed) in all resolutions of
   * one image; over it a scan fails with analysis_limit_exceeded.
   */
  @ToInt()
  @IsInt()
  @Min(1)
  IMAGE_MAX_SYMLINK_STEPS = 1_000_000;

  /**
   * Wall-clock milliseconds one analyzer may spend parsing one file once its bytes have arrived (an
   * rpm database, a jar, a Go binary); over it the analysis thread is terminated and the scan fails
   * with analysis_limit_exceeded naming the file.
   */
  @ToInt()
  @IsInt()
  @Min(100)
  ANALYSIS_FILE_TIMEOUT_MS = 60_000;

  /**
   * Wall-clock milliseconds one layer may take from its first byte to its last entry (download
   * included), and the final view of the image after the last layer; over it: analysis_limit_exceeded.
   */
  @ToInt()
  @IsInt()
  @Min(1000)
  ANALYSIS_LAYER_TIMEOUT_MS = 600_000;

  /**
   * V8 heap of one analysis thread in MiB (one thread per scan in progress, SCAN_CONCURRENCY at most);
   * an image that needs more fails with analysis_limit_exceeded instead of exhausting the worker.
   */
  @ToInt()
  @IsInt()
  @Min(16)
  ANALYSIS_MAX_HEAP_MB = 160;

  /**
   * Vulnerability feeds, comma-separated `<kind>=<path or URL>` with kinds osv, alpine-secdb and
   * debian-oval; a path may be a file or a directory. Unset: no feed is imported.
   */
  @IsOptional()
  @IsString()
  VULNDB_SOURCES?: string;

  /** Minutes between feed syncs; 0 syncs only at first start and on request (POST /api/v1/vulndb/sync). */
  @ToInt()
  @IsInt()
  @Min(0)
  VULNDB_SYNC_INTERVAL_MINUTES = 360;

  /**
   * Key for tenants' registry secrets at rest (32 bytes, hex or base64). Without it the
   * registry credential API answers 503 rather than storing secrets it could not protect.
   */
  @IsOptional()
  @Matches(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'must be 32 bytes as 64 hex characters or base64' })
  @IsSecret()
  CREDENTIALS_ENCRYPTION_KEY?: string;
}
