import { normalizeRegistryHost } from '@vulnscan/image-reference';
import { configuredFor, parseUpstreams, servesTenant, upstreamsProblem } from './upstream-config';
import { normalizeRepository } from './upstreams.service';

describe('parseUpstreams (CACHE_UPSTREAMS)', () => {
  it('reads host=url entries in order; http URLs are insecure; the endpoint is the URL host', () => {
    const upstreams = parseUpstreams(' docker.io=https://registry-1.docker.io , 127.0.0.1:5555=http://127.0.0.1:6666/ ,');
    expect(upstreams.map(({ name, endpointHost, insecure }) => ({ name, endpointHost, insecure }))).toEqual([
      { name: 'docker.io', endpointHost: 'registry-1.docker.io', insecure: false },
      { name: '127.0.0.1:5555', endpointHost: '127.0.0.1:6666', insecure: true },
    ]);
    expect(upstreams[1]!.url.origin).toBe('http://127.0.0.1:6666');
  });

  it('serves the bootstrap tenant only, unless the entry names its tenants after @ (* for all)', () => {
    const [hub, team, all] = parseUpstreams(
      'docker.io=https://registry-1.docker.io,ghcr.io=https://ghcr.io@team-a|default|team-a,quay.io=http://127.0.0.1:5000/@*',
    );
    expect(hub!.tenants).toEqual(['default']);
    expect([servesTenant(hub!, 'default'), servesTenant(hub!, 'team-a')]).toEqual([true, false]);
    expect(team!.tenants).toEqual(['team-a', 'default']);
    expect(team!.url.origin).toBe('https://ghcr.io');
    expect([servesTenant(team!, 'team-a'), servesTenant(team!, 'team-b')]).toEqual([true, false]);
    expect(all!.url.origin).toBe('http://127.0.0.1:5000');
    expect(servesTenant(all!, 'anyone')).toBe(true);
  });

  it("keys a configured upstream's manifests per tenant and its blob proofs per upstream", () => {
    const [hub] = parseUpstreams('docker.io=https://registry-1.docker.io@*');
    expect(configuredFor(hub!, 'default')).toMatchObject({ tenantId: 'default', scope: '', blobSource: 'config:docker.io' });
    expect(configuredFor(hub!, 'team-a')).toMatchObject({ tenantId: 'team-a', scope: 'tenant:team-a', blobSource: 'config:docker.io' });
  });

  it('folds Docker Hub aliases and case into the name references use', () => {
    expect(parseUpstreams('Index.Docker.IO=https://registry-1.docker.io')[0]!.name).toBe('docker.io');
    expect(normalizeRegistryHost('REGISTRY-1.docker.io')).toBe('docker.io');
    expect(normalizeRegistryHost('ghcr.io')).toBe('ghcr.io');
  });

  it.each([
    ['', 'no upstream is configured'],
    ['docker.io', 'is not <registry host>=<url>'],
    ['=https://x.example', 'is not <registry host>=<url>'],
    ['bad host=https://x.example', 'is not a registry host'],
    ['x.example:99999=https://x.example', 'is not a registry host'],
    ['x.example=not a url', 'is not a URL'],
    ['x.example=ftp://x.example', 'must be http:// or https://'],
    ['x.example=https://user:secret@x.example', 'must not carry credentials'],
    ['x.example=https://x.example/v2', 'must be the registry root'],
    ['x.example=https://x.example?a=b', 'must be the registry root'],
    ['x.example=https://a.example,X.example=https://b.example', 'configured twice'],
    ['x.example=https://x.example@Team_A', 'names tenant "Team_A"'],
    ['x.example=https://x.example@team-a|', 'names tenant ""'],
  ])('refuses %j', (value, problem) => {
    expect(() => parseUpstreams(value)).toThrow(problem);
    expect(upstreamsProblem(value)).toContain(problem);
  });

  it('names a non-string value', () => {
    expect(upstreamsProblem(42)).toMatch(/must be a string/);
    expect(upstreamsProblem('ghcr.io=https://ghcr.io')).toBeUndefined();
  });
});

describe('normalizeRepository', () => {
  const [hub, other] = parseUpstreams('docker.io=https://registry-1.docker.io,ghcr.io=https://ghcr.io');

  it('puts Docker Hub single names under library/, and nothing else', () => {
    expect(normalizeRepository(hub!, 'alpine')).toBe('library/alpine');
    expect(normalizeRepository(hub!, 'library/alpine')).toBe('library/alpine');
    expect(normalizeRepository(hub!, 'bitnami/redis')).toBe('bitnami/redis');
    expect(normalizeRepository(other!, 'alpine')).toBe('alpine');
  });
});
