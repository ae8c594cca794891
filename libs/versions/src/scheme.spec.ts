import { InvalidVersionError, MAX_VERSION_LENGTH, ParseCache, Rejected, defineScheme, sign } from './scheme';
import * as versions from './index';

describe('InvalidVersionError', () => {
  it('names the input, the scheme and the reason', () => {
    const error = new InvalidVersionError('1:', 'dpkg', 'nothing after the colon');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidVersionError');
    expect(error.message).toBe('invalid dpkg version "1:": nothing after the colon');
    expect(error).toMatchObject({ version: '1:', scheme: 'dpkg', reason: 'nothing after the colon' });
  });

  it('quotes control characters visibly', () => {
    expect(new InvalidVersionError('1\n', 'rpm', 'x').message).toBe('invalid rpm version "1\\n": x');
  });
});

describe('every scheme', () => {
  const schemes = [versions.dpkg, versions.apk, versions.rpm, versions.npm, versions.pypi, versions.go, versions.maven, versions.semver];

  it.each(schemes.map((s) => [s.name, s] as const))('%s rejects empty, overlong and non-string input', (_name, scheme) => {
    expect(scheme.isValid('')).toBe(false);
    expect(() => scheme.compare('', '')).toThrow(InvalidVersionError);
    const long = '1'.repeat(MAX_VERSION_LENGTH + 1);
    expect(scheme.isValid(long)).toBe(false);
    expect(() => scheme.compare(long, long)).toThrow(/longer than/);
    expect(scheme.isValid(undefined as unknown as string)).toBe(false);
    expect(() => scheme.compare(undefined as unknown as string, '1.0.0')).toThrow(InvalidVersionError);
  });

  it.each(schemes.map((s) => [s.name, s] as const))('%s returns exactly -1, 0 or 1', (_name, scheme) => {
    const [low, high] = scheme.name === 'semver' || scheme.name === 'npm' || scheme.name === 'go' ? ['1.0.0', '2.0.0'] : ['1.0', '2.0'];
    expect([scheme.compare(low!, high!), scheme.compare(high!, low!), scheme.compare(low!, low!)]).toEqual([-1, 1, 0]);
  });
});

describe('defineScheme', () => {
  const numbers = defineScheme(
    'numbers',
    (v) => (/^[0-9]+$/.test(v) ? Number(v) : new Rejected('not digits')),
    (a, b) => sign(a - b),
  );

  it('orders parsed values and throws for rejected ones', () => {
    expect(numbers.compare('2', '10')).toBe(-1);
    expect(numbers.compare('10', '010')).toBe(0);
    expect(numbers.isValid('x')).toBe(false);
    expect(() => numbers.compare('1', 'x')).toThrow('invalid numbers version "x": not digits');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(numbers)).toBe(true);
  });
});

describe('ParseCache', () => {
  it('parses each string once and stays within its capacity', () => {
    const parse = jest.fn((v: string) => v.length);
    const cache = new ParseCache(parse, 3);
    expect([cache.get('a'), cache.get('bb'), cache.get('a')]).toEqual([1, 2, 1]);
    expect(parse).toHaveBeenCalledTimes(2);
    cache.get('ccc');
    cache.get('dddd'); // evicts 'a', the oldest
    expect(cache.size).toBe(3);
    cache.get('a');
    expect(parse).toHaveBeenCalledTimes(5);
    expect(cache.size).toBe(3);
  });
});
