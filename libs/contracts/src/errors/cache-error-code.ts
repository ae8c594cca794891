import { ScanErrorCode } from '../scan-errors';

/** Why the blob-cache-worker refuses a command (upstreams). The values are API error codes: never change one. */
export enum CacheErrorCode {
  ValidationFailed = 'validation_failed',
  /** The registry is a configured upstream (CACHE_UPSTREAMS). */
  UpstreamConflict = 'upstream_conflict',
  UpstreamLimit = 'upstream_limit',
  UpstreamNotFound = 'upstream_not_found',
  /** No CACHE_ENCRYPTION_KEY: upstream credentials cannot be stored. */
  CredentialsDisabled = 'credentials_disabled',
}

/** The cache also answers with the scan error code of the host policy (host_not_allowed, unreachable). */
export type CacheRejectionCode = CacheErrorCode | ScanErrorCode;
