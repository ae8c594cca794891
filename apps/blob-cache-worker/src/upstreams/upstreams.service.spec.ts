import type { BlobCacheEnv } from '../env';
import type { Upstream } from './upstream-config';
import type { UpstreamTable } from './upstream-table';
import { Upstreams } from './upstreams.service';

const tenantUpstream = (tenantId: string, registry: string, id: string): Upstream => ({
  name: registry,
  url: new URL('https://private.example'),
  endpointHost: 'private.example',
  insecure: false,
  source: 'api',
  tenantId,
  scope: id,
  blobSource: id,
  id,
  version: '1',
  credentials: { username: 'u', password: 'p' },
});

describe('Upstreams.resolve', () => {
  const rows = [tenantUpstream('team-a', 'ghcr.io', '00000000-0000-0000-0000-00000000000a')];
  const table = {
    policy: undefined,
    findForTenant: async (tenantId: string, registry: string) => rows.find((row) => row.tenantId === tenantId && row.name === registry),
    anyTenantHas: async (registry: string) => rows.some((row) => row.name === registry),
  } as unknown as UpstreamTable;
  const upstreams = new Upstreams(
    {
      CACHE_UPSTREAMS: 'docker.io=https://registry-1.docker.io,quay.io=https://quay.io@team-a|default,gcr.io=https://gcr.io@*',
      CACHE_UPSTREAM_TIMEOUT_MS: 1000,
    } as BlobCacheEnv,
    table,
  );
  afterAll(() => upstreams.onApplicationShutdown());

  it('answers without ?ns= with the first configured upstream; anonymous requests are the bootstrap tenant', async () => {
    expect((await upstreams.resolve(undefined, { kind: 'anonymous' })).name).toBe('docker.io');
    expect(await upstreams.resolve('QUAY.io', { kind: 'anonymous' })).toMatchObject({
      name: 'quay.io',
      source: 'config',
      tenantId: 'default',
      scope: '',
      blobSource: 'config:quay.io',
    });
  });

  it('gives a configured upstream only to the tenants it names, each with its own scope and the shared blob source', async () => {
    expect(await upstreams.resolve('quay.io', { kind: 'tenant', tenantId: 'team-a' })).toMatchObject({
      source: 'config',
      tenantId: 'team-a',
      scope: 'tenant:team-a',
      blobSource: 'config:quay.io',
    });
    expect(await upstreams.resolve('gcr.io', { kind: 'internal', tenantId: 'team-c' })).toMatchObject({ tenantId: 'team-c' });
    for (const ns of ['quay.io', 'docker.io', undefined]) {
      await expect(upstreams.resolve(ns, { kind: 'tenant', tenantId: 'team-c' })).rejects.toMatchObject({
        status: 404,
        code: 'NAME_UNKNOWN',
      });
    }
    expect(await upstreams.resolve(undefined, { kind: 'internal' })).toMatchObject({ name: 'docker.io', tenantId: 'default' });
  });

  it("finds a tenant's own upstream with its key or the internal token naming it", async () => {
    expect(await upstreams.resolve('ghcr.io', { kind: 'tenant', tenantId: 'team-a' })).toMatchObject({ source: 'api', tenantId: 'team-a' });
    expect(await upstreams.resolve('ghcr.io', { kind: 'internal', tenantId: 'team-a' })).toMatchObject({
      source: 'api',
      tenantId: 'team-a',
    });
  });

  it("asks anonymous clients to authenticate for tenants' registries; others get 404 NAME_UNKNOWN", async () => {
    await expect(upstreams.resolve('ghcr.io', { kind: 'anonymous' })).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    await expect(upstreams.resolve('ghcr.io', { kind: 'tenant', tenantId: 'team-b' })).rejects.toMatchObject({
      status: 404,
      code: 'NAME_UNKNOWN',
    });
    await expect(upstreams.resolve('ghcr.io', { kind: 'internal' })).rejects.toMatchObject({ status: 404, code: 'NAME_UNKNOWN' });
    await expect(upstreams.resolve('unknown.example', { kind: 'anonymous' })).rejects.toMatchObject({ status: 404, code: 'NAME_UNKNOWN' });
  });

  it('gives each tenant upstream its own client, and the configured ones the shared one', async () => {
    const own = await upstreams.resolve('ghcr.io', { kind: 'tenant', tenantId: 'team-a' });
    expect(upstreams.clientFor(own)).toBe(upstreams.clientFor(own));
    expect(upstreams.clientFor(own)).not.toBe(upstreams.client);
    expect(upstreams.clientFor(upstreams.default)).toBe(upstreams.client);
  });

  it("finds the upstream of a blob source: configured by name, a tenant's by id", async () => {
    expect(await upstreams.byBlobSource('config:quay.io')).toMatchObject({ name: 'quay.io' });
    expect(await upstreams.byBlobSource('config:gone.example')).toBeUndefined();
  });
});
