import { parseWwwAuthenticate, preferredChallenge } from './www-authenticate';

describe('parseWwwAuthenticate', () => {
  it('parses a distribution Bearer challenge', () => {
    const header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"';
    expect(parseWwwAuthenticate(header)).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
      },
    ]);
  });

  it('parses Basic with a realm', () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
  });

  it('keeps commas inside quoted values and unescapes quotes', () => {
    const [challenge] = parseWwwAuthenticate('Bearer realm="http://127.0.0.1:1/token",scope="repository:a:pull,push",error="say \\"hi\\""');
    expect(challenge!.params).toEqual({ realm: 'http://127.0.0.1:1/token', scope: 'repository:a:pull,push', error: 'say "hi"' });
  });

  it('splits several challenges, including repeated headers joined by Node', () => {
    const parsed = parseWwwAuthenticate(['Basic realm="r"', 'Bearer realm="https://t/x", service=reg']);
    expect(parsed.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(parsed[1]!.params).toEqual({ realm: 'https://t/x', service: 'reg' });
    expect(preferredChallenge(parsed)?.scheme).toBe('bearer');
  });

  it('accepts unquoted values, odd spacing and case', () => {
    expect(parseWwwAuthenticate('BEARER  Realm = https://t/x ,  Service=s')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://t/x', service: 's' } },
    ]);
  });

  it('returns nothing usable for absent or garbage headers', () => {
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(preferredChallenge(parseWwwAuthenticate('Negotiate abc=='))).toBeUndefined();
    expect(() => parseWwwAuthenticate('"=,=,"\\')).not.toThrow();
  });
});
