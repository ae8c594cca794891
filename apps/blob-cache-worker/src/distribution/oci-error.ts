import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import type { Upstream } from '../upstreams/upstream-config';

/** Error codes of the OCI Distribution spec (plus Docker's UNAVAILABLE and UNKNOWN). */
export type OciErrorCode =
  | 'BLOB_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'TAG_INVALID'
  | 'DENIED'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'RANGE_INVALID'
  | 'UNAVAILABLE'
  | 'UNKNOWN';

/** An answer of the /v2/ API that is not content: rendered as `{"errors":[{"code","message"}]}`. */
export class OciError extends Error {
  constructor(
    readonly status: number,
    readonly code: OciErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'OciError';
  }

  body(): { errors: { code: OciErrorCode; message: string }[] } {
    return { errors: [{ code: this.code, message: this.message }] };
  }
}

/** The challenge clients answer with a tenant API key as the password (any username). */
export const AUTH_CHALLENGE = 'Basic realm="vulnscan"';

/** 401 with the Basic challenge: the request needs (another) API key. */
export function unauthorized(message: string): OciError {
  return new OciError(401, 'UNAUTHORIZED', message, { 'WWW-Authenticate': AUTH_CHALLENGE });
}

export type ContentKind = 'manifest' | 'blob';

/** Answer for content the cache does not hold when the client forbade asking upstream. */
export function notCached(kind: ContentKind, what: string): OciError {
  const code = kind === 'manifest' ? 'MANIFEST_UNKNOWN' : 'BLOB_UNKNOWN';
  return new OciError(504, code, `${what} is not in the cache, and the request said Cache-Control: only-if-cached`);
}

/**
 * Maps what went wrong upstream to the answer a registry client understands: 404 stays 404,
 * 429 stays 429 with its Retry-After, an unreachable upstream is 503 naming it, and content that
 * fails verification is the upstream's fault (502).
 */
export function upstreamError(error: unknown, upstream: Upstream, kind: ContentKind, what: string): OciError {
  if (error instanceof OciError) return error;
  if (!(error instanceof ScanError)) {
    return new OciError(500, 'UNKNOWN', `${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const source = `upstream ${upstream.name} (${upstream.url.origin})`;
  const retryAfter: Record<string, string> =
    error.retryAfterSeconds !== undefined ? { 'Retry-After': String(Math.max(0, Math.ceil(error.retryAfterSeconds))) } : {};
  switch (error.code) {
    case ScanErrorCode.NotFound:
      return new OciError(404, kind === 'manifest' ? 'MANIFEST_UNKNOWN' : 'BLOB_UNKNOWN', `${what} is not known to ${source}`);
    case ScanErrorCode.Unauthorized:
      return new OciError(
        403,
        'DENIED',
        `${source} refused the cache (${upstream.credentials ? "with the upstream's credentials" : 'which pulls anonymously'}): ${error.message}`,
      );
    case ScanErrorCode.RateLimited:
      return new OciError(429, 'TOOMANYREQUESTS', `${source} is rate limiting the cache: ${error.message}`, retryAfter);
    case ScanErrorCode.DigestMismatch:
      return new OciError(502, 'DIGEST_INVALID', `${source} served ${what} with content that does not match its digest: ${error.message}`);
    case ScanErrorCode.ManifestInvalid:
    case ScanErrorCode.UnsupportedMediaType:
      return new OciError(502, 'MANIFEST_INVALID', `${source} served an unusable ${what}: ${error.message}`);
    case ScanErrorCode.HostNotAllowed:
      return new OciError(502, 'UNAVAILABLE', `${source} redirected ${what} somewhere the cache will not follow: ${error.message}`);
    case ScanErrorCode.Unreachable:
    case ScanErrorCode.Timeout:
      return new OciError(503, 'UNAVAILABLE', `${source} is unavailable, and ${what} is not in the cache: ${error.message}`, retryAfter);
    default:
      return new OciError(502, 'UNAVAILABLE', `${source} failed on ${what}: ${error.message}`);
  }
}

/** Upstream failures after which a stale cached tag is still better than an error. */
export function isUpstreamOutage(error: unknown): boolean {
  return (
    error instanceof ScanError &&
    (error.code === ScanErrorCode.Unreachable || error.code === ScanErrorCode.RateLimited || error.code === ScanErrorCode.Timeout)
  );
}
