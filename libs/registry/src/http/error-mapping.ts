import type { IncomingHttpHeaders } from 'node:http';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { HttpTimeoutError, parseRetryAfter } from '@vulnscan/outbound-http';

/** What a request was for, so every error names the registry host and the repository. */
/** The `repository` of a request about the whole registry (its catalog). */
export const WHOLE_REGISTRY = '*';

export interface RequestContext {
  readonly registry: string;
  readonly repository: string;
  /** e.g. `manifest 3.10`, `blob sha256:…`, `token`. */
  readonly what: string;
}

export function describe(ctx: RequestContext): string {
  return ctx.repository === WHOLE_REGISTRY
    ? `${ctx.what} of registry ${ctx.registry}`
    : `${ctx.what} of repository ${ctx.repository} on registry ${ctx.registry}`;
}

const NOT_FOUND_CODES = new Set(['MANIFEST_UNKNOWN', 'NAME_UNKNOWN', 'BLOB_UNKNOWN']);
const UNAUTHORIZED_CODES = new Set(['UNAUTHORIZED', 'DENIED']);

/** The `errors[].code` values of a distribution error body (spec §error-codes), if it is one. */
export function registryErrorCodes(body: Buffer | undefined): string[] {
  if (!body || body.length === 0) return [];
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const errors = (parsed as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) return [];
    return errors.map((e) => (e as { code?: unknown }).code).filter((c): c is string => typeof c === 'string');
  } catch {
    return [];
  }
}

/** A registry chooses its error bodies: a message names a few of their codes, each cut short. */
const SHOWN_CODES = 5;
const SHOWN_CODE_LENGTH = 64;

function shownCodes(codes: readonly string[]): string {
  const shown = codes
    .slice(0, SHOWN_CODES)
    .map((code) => (code.length > SHOWN_CODE_LENGTH ? `${code.slice(0, SHOWN_CODE_LENGTH)}…` : code));
  return codes.length > SHOWN_CODES ? `${shown.join(', ')} and ${codes.length - SHOWN_CODES} more` : shown.join(', ');
}

export interface ResponseFacts {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body?: Buffer;
}

/** Maps a non-2xx answer to the scan error a caller can act on. */
export function errorForResponse(response: ResponseFacts, ctx: RequestContext, credentialsConfigured: boolean): ScanError {
  const { status } = response;
  const codes = registryErrorCodes(response.body);
  const detail = `HTTP ${status}${codes.length ? `, ${shownCodes(codes)}` : ''}`;
  const retryAfter = parseRetryAfter(response.headers['retry-after']);

  if (status === 404 || codes.some((c) => NOT_FOUND_CODES.has(c))) {
    return new ScanError(ScanErrorCode.NotFound, `${describe(ctx)} not found (${detail})`);
  }
  if (status === 401 || status === 403 || codes.some((c) => UNAUTHORIZED_CODES.has(c))) {
    return unauthorized(ctx, credentialsConfigured, detail);
  }
  if (status === 429 || codes.includes('TOOMANYREQUESTS')) {
    const message = `registry ${ctx.registry} is rate limiting (${detail}) ${ctx.what} of ${ctx.repository}`;
    return new ScanError(ScanErrorCode.RateLimited, message, retryAfter);
  }
  if (status >= 500) {
    return new ScanError(ScanErrorCode.Unreachable, `registry ${ctx.registry} failed on ${describe(ctx)} (${detail})`, retryAfter);
  }
  // Other 4xx answers mean we asked for something the registry cannot serve; retrying won't help.
  return new ScanError(ScanErrorCode.Internal, `registry ${ctx.registry} rejected the request for ${describe(ctx)} (${detail})`);
}

export function unauthorized(ctx: RequestContext, credentialsConfigured: boolean, detail: string): ScanError {
  const how = credentialsConfigured ? 'with the configured credentials' : `anonymously (no credentials are configured for ${ctx.registry})`;
  return new ScanError(
    ScanErrorCode.Unauthorized,
    `registry ${ctx.registry} denied access to ${ctx.repository === WHOLE_REGISTRY ? ctx.what : `${ctx.what} of repository ${ctx.repository}`} ${how} (${detail})`,
  );
}

/** Raised by the transport when a request or a body stalls longer than the configured timeout. */
/** Connection refused, DNS failure, TLS failure, resets and timeouts: the registry is unreachable. */
export function errorForNetworkFailure(error: unknown, ctx: RequestContext): ScanError {
  if (error instanceof ScanError) return error;
  const err = error as NodeJS.ErrnoException;
  const reason = err instanceof HttpTimeoutError ? err.message : [err.code, err.message].filter(Boolean).join(' ');
  return new ScanError(ScanErrorCode.Unreachable, `registry ${ctx.registry} is unreachable for ${describe(ctx)}: ${reason}`);
}

/** An abort the caller asked for is passed through untouched: it is neither a registry fault nor a scan error. */
export function isCallerAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (error === signal.reason || (error as Error)?.name === 'AbortError');
}
