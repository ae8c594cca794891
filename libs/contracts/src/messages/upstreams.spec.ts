import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PutUpstreamCommand, upstreamUrlProblem } from './upstreams';

describe('upstreamUrlProblem', () => {
  it.each(['https://ghcr.io', 'https://ghcr.io/', 'http://127.0.0.1:5000', 'https://[::1]:5000'])('accepts %s', (url) => {
    expect(upstreamUrlProblem(url)).toBeUndefined();
  });

  it.each([
    [42, 'absolute http(s) URL'],
    ['', 'absolute http(s) URL'],
    ['ghcr.io', 'absolute http(s) URL'],
    ['ftp://ghcr.io', 'http or https, not ftp'],
    ['https://u:p@ghcr.io', 'must not contain credentials'],
    ['https://ghcr.io/v2', 'registry root'],
    ['https://ghcr.io/?a=b', 'registry root'],
    ['https://ghcr.io/#x', 'registry root'],
    [`https://ghcr.io/${'a'.repeat(3000)}`, 'at most 2048'],
  ])('refuses %j', (url, problem) => {
    expect(upstreamUrlProblem(url)).toContain(problem);
  });
});

describe('PutUpstreamCommand', () => {
  const problems = (value: object) =>
    validateSync(plainToInstance(PutUpstreamCommand, value))
      .map((error) => error.property)
      .sort();

  it('takes credentials both or neither', () => {
    const base = { tenantId: 't', registry: 'ghcr.io', url: 'https://ghcr.io' };
    expect(problems(base)).toEqual([]);
    expect(problems({ ...base, username: 'u', password: 'p' })).toEqual([]);
    expect(problems({ ...base, username: 'u' })).toEqual(['password']);
    expect(problems({ ...base, password: 'p' })).toEqual(['username']);
    expect(problems({ ...base, registry: 'not a host', url: 'https://ghcr.io/v2' })).toEqual(['registry', 'url']);
  });
});
