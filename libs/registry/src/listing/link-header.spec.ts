import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { nextLinkTarget, nextPagePath } from './link-header';

const PAGE = new URL('https://registry.example.com/v2/_catalog?n=2');
const WHERE = 'catalog of registry registry.example.com';

function refusal(run: () => unknown): ScanError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScanError) return error;
    throw error;
  }
  throw new Error('expected a ScanError');
}

describe('nextLinkTarget', () => {
  it.each([
    ['distribution’s form', '</v2/_catalog?last=team%2Fapi&n=2>; rel="next"', '/v2/_catalog?last=team%2Fapi&n=2'],
    ['an unquoted rel', '</v2/a/tags/list?last=b>;rel=next', '/v2/a/tags/list?last=b'],
    ['rel in another case with extra parameters', '</v2/a/tags/list?last=b>; title="page, two"; REL="Next"', '/v2/a/tags/list?last=b'],
    ['a rel with several types', '</v2/x?last=1>; rel="prev next"', '/v2/x?last=1'],
    ['next after prev, one header', '</v2/x?last=0>; rel="prev", </v2/x?last=2>; rel="next"', '/v2/x?last=2'],
    ['a comma inside the target', '</v2/x?last=a,b>; rel="next"', '/v2/x?last=a,b'],
    ['repeated headers', ['</v2/x?last=0>; rel="prev"', '</v2/x?last=2>; rel="next"'], '/v2/x?last=2'],
  ])('reads %s', (_name, header, expected) => {
    expect(nextLinkTarget(header)).toBe(expected);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['only a prev link', '</v2/x?last=0>; rel="prev"'],
    ['a rel that merely contains "next"', '</v2/x?last=2>; rel="nextpage"'],
    ['a target without angle brackets', '/v2/x?last=2; rel="next"'],
    ['a rel only inside a quoted title', '</v2/x?last=2>; title="rel=next"'],
  ])('finds nothing in %s', (_name, header) => {
    expect(nextLinkTarget(header)).toBeUndefined();
  });
});

describe('nextPagePath', () => {
  it('resolves a relative next link against the page it came from', () => {
    expect(nextPagePath('</v2/_catalog?last=b&n=2>; rel="next"', PAGE, WHERE)).toBe('/v2/_catalog?last=b&n=2');
    expect(nextPagePath('<_catalog?last=b>; rel="next"', PAGE, WHERE)).toBe('/v2/_catalog?last=b');
    expect(nextPagePath('<?last=b>; rel="next"', PAGE, WHERE)).toBe('/v2/_catalog?last=b');
  });

  it('accepts an absolute next link on the same origin', () => {
    expect(nextPagePath('<https://registry.example.com:443/v2/_catalog?last=b>; rel="next"', PAGE, WHERE)).toBe('/v2/_catalog?last=b');
  });

  it('is undefined on the last page', () => {
    expect(nextPagePath(undefined, PAGE, WHERE)).toBeUndefined();
  });

  it.each([
    ['another host', 'https://elsewhere.example.com/v2/_catalog?last=b', 'https://elsewhere.example.com'],
    ['another scheme', 'http://registry.example.com/v2/_catalog?last=b', 'http://registry.example.com'],
    ['another port', 'https://registry.example.com:5000/v2/_catalog?last=b', 'https://registry.example.com:5000'],
    ['a protocol-relative link', '//elsewhere.example.com/v2/_catalog', 'https://elsewhere.example.com'],
  ])('refuses a next page on %s, naming both origins', (_name, target, origin) => {
    const error = refusal(() => nextPagePath(`<${target}>; rel="next"`, PAGE, WHERE));
    expect(error.code).toBe(ScanErrorCode.HostNotAllowed);
    expect(error.message).toBe(
      `${WHERE}: refusing the next page at ${origin}, a different origin than https://registry.example.com (Link: <${target}>)`,
    );
  });

  it('refuses a next page outside the /v2/ API, including a path that would name another host', () => {
    for (const target of ['/admin?x=1', 'https://registry.example.com//evil.example.com/v2/x']) {
      const error = refusal(() => nextPagePath(`<${target}>; rel="next"`, PAGE, WHERE));
      expect(error.code).toBe(ScanErrorCode.Internal);
      expect(error.message).toBe(`${WHERE}: the registry's next page "${target}" is outside its /v2/ API`);
    }
  });

  it('refuses a next link that is not a URL', () => {
    const error = refusal(() => nextPagePath('<http://[oops/v2/x>; rel="next"', PAGE, WHERE));
    expect(error.code).toBe(ScanErrorCode.Internal);
    expect(error.message).toBe(`${WHERE}: the registry's Link header names an invalid next page "http://[oops/v2/x"`);
  });
});
