import { Transform } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { CommaList, ManifestBudgetEnv, ToInt } from '@vulnscan/config';

export interface RegistryCredential {
  username: string;
  password: string;
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

  /** Registries spoken to over plain HTTP (host:port, comma-separated); they are also allowed. */
  @CommaList()
  @IsString({ each: true })
  INSECURE_REGISTRIES: string[] = [];

  /** Private or loopback registry hosts (host, host:port or CIDR) the worker may reach. */
  @CommaList()
  @IsString({ each: true })
  REGISTRY_ALLOWED_HOSTS: string[] = [];

  /** Credentials per registry host, JSON: {"registry.example.com": {"username": "u", "password": "p"}}. */
  @Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  })
  @IsObject({ message: 'must be a JSON object of host → {username, password}' })
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
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
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
  CREDENTIALS_ENCRYPTION_KEY?: string;
}
