/**
 * Every way a scan can fail, shared by all services. `retryable` tells the scheduler whether a
 * failed attempt earns a new attempt of the same scan (with backoff, up to its limit).
 */
export enum ScanErrorCode {
  NotFound = 'not_found',
  Unauthorized = 'unauthorized',
  RateLimited = 'rate_limited',
  Unreachable = 'unreachable',
  DigestMismatch = 'digest_mismatch',
  ManifestInvalid = 'manifest_invalid',
  UnsupportedMediaType = 'unsupported_media_type',
  PlatformNotFound = 'platform_not_found',
  HostNotAllowed = 'host_not_allowed',
  LayerTooLarge = 'layer_too_large',
  LayerCorrupt = 'layer_corrupt',
  AnalysisLimitExceeded = 'analysis_limit_exceeded',
  LayersUnavailable = 'layers_unavailable',
  Timeout = 'timeout',
  WorkerCrashed = 'worker_crashed',
  Internal = 'internal',
}

export interface ScanErrorInfo {
  readonly retryable: boolean;
  readonly summary: string;
}

export const SCAN_ERRORS: Readonly<Record<ScanErrorCode, ScanErrorInfo>> = {
  [ScanErrorCode.NotFound]: { retryable: false, summary: 'The image or one of its blobs does not exist in the registry.' },
  [ScanErrorCode.Unauthorized]: { retryable: false, summary: 'The registry refused the credentials (or their absence).' },
  [ScanErrorCode.RateLimited]: { retryable: true, summary: 'The registry is rate limiting pulls.' },
  [ScanErrorCode.Unreachable]: { retryable: true, summary: 'The registry could not be reached or answered with a server error.' },
  [ScanErrorCode.DigestMismatch]: { retryable: false, summary: 'Content did not match its digest.' },
  [ScanErrorCode.ManifestInvalid]: { retryable: false, summary: 'The manifest is malformed.' },
  [ScanErrorCode.UnsupportedMediaType]: { retryable: false, summary: 'The manifest media type is not a container image.' },
  [ScanErrorCode.PlatformNotFound]: { retryable: false, summary: 'The image index has no manifest for the requested platform.' },
  [ScanErrorCode.HostNotAllowed]: { retryable: false, summary: 'The registry host is not allowed by the outbound policy.' },
  [ScanErrorCode.LayerTooLarge]: { retryable: false, summary: 'A layer exceeds the configured limits.' },
  [ScanErrorCode.LayerCorrupt]: { retryable: false, summary: 'A layer is corrupt or truncated.' },
  [ScanErrorCode.AnalysisLimitExceeded]: { retryable: false, summary: 'The image needs more analysis than the configured budgets allow.' },
  [ScanErrorCode.LayersUnavailable]: { retryable: false, summary: 'Not every layer is in the cache yet.' },
  [ScanErrorCode.Timeout]: { retryable: false, summary: 'The scan did not finish before its deadline.' },
  [ScanErrorCode.WorkerCrashed]: { retryable: false, summary: 'The scan job kept crashing workers.' },
  [ScanErrorCode.Internal]: { retryable: false, summary: 'An unexpected error inside the platform.' },
};

export function isScanErrorCode(value: unknown): value is ScanErrorCode {
  return typeof value === 'string' && value in SCAN_ERRORS;
}

/** An error that carries a scan error code from where it happens up to the attempt report. */
export class ScanError extends Error {
  constructor(
    readonly code: ScanErrorCode,
    message: string,
    /** Seconds the registry asked us to wait (Retry-After), when it did. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ScanError';
  }

  get retryable(): boolean {
    return SCAN_ERRORS[this.code].retryable;
  }
}
