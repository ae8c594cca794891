import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { listingRejection } from './listing-rejection';

describe('listingRejection', () => {
  it.each([ScanErrorCode.NotFound, ScanErrorCode.HostNotAllowed, ScanErrorCode.Unauthorized, ScanErrorCode.Unreachable])(
    'answers %s with the scan error code and a message naming what was listed',
    (code) => {
      const rejection = listingRejection(new ScanError(code, 'registry r.example.com said no'), 'the tags of r.example.com/team/app');
      expect(rejection).toMatchObject({
        code,
        message: 'Cannot list the tags of r.example.com/team/app: registry r.example.com said no',
      });
    },
  );

  it('passes the registry’s Retry-After on in the message', () => {
    const rejection = listingRejection(
      new ScanError(ScanErrorCode.RateLimited, 'registry r.example.com is rate limiting', 6.2),
      'the catalog of r.example.com',
    );
    expect(rejection.message).toBe(
      'Cannot list the catalog of r.example.com: registry r.example.com is rate limiting; the registry asks to retry after 7 s',
    );
    expect(rejection.retryAfterSeconds).toBe(7);
  });
});
