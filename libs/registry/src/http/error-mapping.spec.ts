import { ScanErrorCode } from '@vulnscan/contracts';
import { HttpTimeoutError } from '@vulnscan/outbound-http';
import { errorForNetworkFailure, errorForResponse } from './error-mapping';

const ctx = { registry: 'ghcr.io', repository: 'org/app', what: 'manifest 1.0' };
const body = (...codes: string[]) => Buffer.from(JSON.stringify({ errors: codes.map((code) => ({ code, message: code })) }));

describe('errorForResponse', () => {
  it('maps 404 and the *_UNKNOWN codes to not_found, naming host and repository', () => {
    const error = errorForResponse({ status: 404, headers: {}, body: body('MANIFEST_UNKNOWN') }, ctx, false);
    expect(error.code).toBe(ScanErrorCode.NotFound);
    expect(error.message).toBe('manifest 1.0 of repository org/app on registry ghcr.io not found (HTTP 404, MANIFEST_UNKNOWN)');
    expect(errorForResponse({ status: 400, headers: {}, body: body('NAME_UNKNOWN') }, ctx, false).code).toBe(ScanErrorCode.NotFound);
    expect(errorForResponse({ status: 400, headers: {}, body: body('BLOB_UNKNOWN') }, ctx, false).code).toBe(ScanErrorCode.NotFound);
  });

  it('maps 401/403 to unauthorized and says whether credentials were configured', () => {
    const anonymous = errorForResponse({ status: 401, headers: {} }, ctx, false);
    expect(anonymous.code).toBe(ScanErrorCode.Unauthorized);
    expect(anonymous.message).toContain('anonymously (no credentials are configured for ghcr.io)');
    const withCreds = errorForResponse({ status: 403, headers: {}, body: body('DENIED') }, ctx, true);
    expect(withCreds.message).toBe(
      'registry ghcr.io denied access to manifest 1.0 of repository org/app with the configured credentials (HTTP 403, DENIED)',
    );
  });

  it('maps 429 to rate_limited with Retry-After', () => {
    const error = errorForResponse({ status: 429, headers: { 'retry-after': '42' }, body: body('TOOMANYREQUESTS') }, ctx, false);
    expect(error.code).toBe(ScanErrorCode.RateLimited);
    expect(error.retryAfterSeconds).toBe(42);
  });

  it('maps 5xx to unreachable and honours Retry-After on 503', () => {
    const error = errorForResponse({ status: 503, headers: { 'retry-after': '7' } }, ctx, false);
    expect(error.code).toBe(ScanErrorCode.Unreachable);
    expect(error.retryAfterSeconds).toBe(7);
    expect(errorForResponse({ status: 500, headers: {} }, ctx, false).retryAfterSeconds).toBeUndefined();
  });

  it('names at most five of the codes a registry sent, each cut short', () => {
    const many = body(...Array.from({ length: 10_000 }, (_, i) => `CODE_${i}_${'X'.repeat(200)}`));
    const { message } = errorForResponse({ status: 400, headers: {}, body: many }, ctx, false);
    expect(message).toBe(
      `registry ghcr.io rejected the request for manifest 1.0 of repository org/app on registry ghcr.io (HTTP 400, ${[0, 1, 2, 3, 4]
        .map((i) => `CODE_${i}_${'X'.repeat(200)}`.slice(0, 64) + '…')
        .join(', ')} and 9995 more)`,
    );
  });

  it('tolerates non-JSON error bodies', () => {
    expect(errorForResponse({ status: 404, headers: {}, body: Buffer.from('<html>') }, ctx, false).message).toContain('(HTTP 404)');
  });
});

describe('errorForNetworkFailure', () => {
  it('maps connection errors and timeouts to unreachable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' });
    expect(errorForNetworkFailure(refused, ctx)).toMatchObject({
      code: ScanErrorCode.Unreachable,
      message:
        'registry ghcr.io is unreachable for manifest 1.0 of repository org/app on registry ghcr.io: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:5000',
    });
    expect(errorForNetworkFailure(new HttpTimeoutError(30000), ctx).message).toMatch(/no answer within 30000 ms$/);
  });
});
