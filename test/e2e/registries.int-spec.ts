import { join } from 'node:path';
import {
  corruptBlob,
  fixturesDir,
  pushImage,
  pushMultiArchIndex,
  putManifest,
  startRegistry,
  startTokenServer,
  TestRegistry,
  TokenServer,
} from '@vulnscan/testing';
import { Api, waitForScan } from '../support/api';
import { TestPlatform, testSecret } from '../support/platform';

const ALPINE = () => join(fixturesDir(), 'images/alpine-310.docker.tar.gz');
const USER = { username: 'scanner', password: 'correct horse battery staple' };

/** Registry auth (basic, bearer token) and multi-arch indexes, through the whole platform. */
describe('scans against real registries', () => {
  let open: TestRegistry;
  let basic: TestRegistry;
  let basicWithoutCredentials: TestRegistry;
  let tenantOwned: TestRegistry;
  let tokenServer: TokenServer;
  let tokenRegistry: TestRegistry;
  let platform: TestPlatform;
  let api: Api;
  let basicDigest: string;
  let tokenDigest: string;
  let index: Awaited<ReturnType<typeof pushMultiArchIndex>>;

  beforeAll(async () => {
    tokenServer = await startTokenServer({ users: [USER] });
    [open, basic, basicWithoutCredentials, tenantOwned, tokenRegistry] = await Promise.all([
      startRegistry(),
      startRegistry({ auth: 'basic', users: [USER] }),
      startRegistry({ auth: 'basic', users: [USER] }),
      startRegistry({ auth: 'basic', users: [USER] }),
      startRegistry({ auth: 'token', tokenServer }),
    ]);
    [basicDigest, , , tokenDigest, index] = await Promise.all([
      pushImage(ALPINE(), basic, 'library/alpine:3.10', USER),
      pushImage(ALPINE(), basicWithoutCredentials, 'library/alpine:3.10', USER),
      pushImage(ALPINE(), tenantOwned, 'library/alpine:3.10', USER),
      pushImage(ALPINE(), tokenRegistry, 'library/alpine:3.10', USER),
      pushMultiArchIndex(open, 'library/multi:1', [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ]),
    ]);
    const registries = [open, basic, basicWithoutCredentials, tenantOwned, tokenRegistry];
    platform = new TestPlatform({
      // every tenant may reach these loopback registries; the operator's credentials serve `default` only
      INSECURE_REGISTRIES: registries.map((registry) => `${registry.host}@*`).join(','),
      // the token server is a loopback host too: it must be allowed like any registry
      REGISTRY_ALLOWED_HOSTS: new URL(tokenServer.realm).host,
      REGISTRY_CREDENTIALS: JSON.stringify({ [basic.host]: USER, [tokenRegistry.host]: USER }),
      CREDENTIALS_ENCRYPTION_KEY: testSecret(),
    });
    await Promise.all([platform.start('scan-scheduler'), platform.start('scanner-worker')]);
    api = new Api((await platform.start('gateway')).url);
  });

  afterAll(async () => {
    await platform?.stop();
    await Promise.all([open, basic, basicWithoutCredentials, tenantOwned, tokenRegistry].map((registry) => registry?.stop()));
    await tokenServer?.stop();
  });

  async function scan(image: string, platformName?: string) {
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image, ...(platformName ? { platform: platformName } : {}) });
    expect(created.status).toBe(202);
    return waitForScan(api, created.body.scan_id);
  }

  it('scans a basic-auth registry with configured credentials', async () => {
    const result = await scan(`${basic.host}/library/alpine:3.10`);
    expect(result.status).toBe('completed');
    expect(result.manifest_digest).toBe(basicDigest);
  });

  it('fails with unauthorized when a basic-auth registry has no configured credentials', async () => {
    const result = await scan(`${basicWithoutCredentials.host}/library/alpine:3.10`);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('unauthorized');
    expect(result.attempts).toBe(1); // not retryable
  });

  it("uses a tenant's own registry credentials from the API, stored encrypted and never shown", async () => {
    const target = `${tenantOwned.host}/library/alpine:3.10`;
    expect((await scan(target)).error?.code).toBe('unauthorized');

    const stored = await api.post<{ id: string; registry: string; username: string }>('/api/v1/registries', {
      registry: tenantOwned.host,
      username: USER.username,
      password: USER.password,
    });
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({ registry: tenantOwned.host, username: USER.username });
    expect(JSON.stringify(stored.body)).not.toContain(USER.password);
    const listed = await api.get<{ items: Record<string, unknown>[] }>('/api/v1/registries');
    expect(listed.body.items.map((item) => item.registry)).toContain(tenantOwned.host);
    expect(JSON.stringify(listed.body)).not.toContain(USER.password);
    const [row] = await platform.query<{ secret: string }>(`SELECT secret FROM worker.registry_credentials WHERE id = $1`, [
      stored.body.id,
    ]);
    expect(row.secret).toMatch(/^v1:/);
    expect(row.secret).not.toContain(USER.password);

    expect((await scan(target)).status).toBe('completed');

    // another tenant does not get them
    await api.post('/api/v1/tenants', { id: 'other', name: 'Other' });
    const key = await api.post<{ key: string }>('/api/v1/api-keys', {
      tenant_id: 'other',
      name: 'k',
      scopes: ['scans:read', 'scans:write'],
    });
    const other = api.withKey(key.body.key);
    const created = await other.post<{ scan_id: string }>('/api/v1/scans', { image: target });
    expect((await waitForScan(other, created.body.scan_id)).error?.code).toBe('unauthorized');
    // nor the operator's (REGISTRY_CREDENTIALS names no tenants: they serve tenant default only)
    const viaOperator = await other.post<{ scan_id: string }>('/api/v1/scans', { image: `${basic.host}/library/alpine:3.10` });
    expect((await waitForScan(other, viaOperator.body.scan_id)).error?.code).toBe('unauthorized');
    expect((await other.get<{ items: unknown[] }>('/api/v1/registries')).body.items).toEqual([]);
    expect((await other.delete(`/api/v1/registries/${stored.body.id}`)).status).toBe(404);

    expect((await api.delete(`/api/v1/registries/${stored.body.id}`)).status).toBe(204);
    expect((await api.get<{ items: unknown[] }>('/api/v1/registries')).body.items).toEqual([]);
  });

  it('refuses credentials for link-local or metadata addresses and names bad fields', async () => {
    const metadata = await api.post<{ code: string }>('/api/v1/registries', { registry: '169.254.169.254', username: 'u', password: 'p' });
    expect(metadata.status).toBe(400);
    expect(metadata.body.code).toBe('host_not_allowed');
    const bad = await api.post<{ fields: string[] }>('/api/v1/registries', { registry: 'not a host', username: 'u' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.sort()).toEqual(['password', 'registry']);
  });

  it('scans a registry behind bearer-token auth through the WWW-Authenticate challenge', async () => {
    const before = tokenServer.tokenRequests;
    const result = await scan(`${tokenRegistry.host}/library/alpine:3.10`);
    expect(result.status).toBe('completed');
    expect(result.manifest_digest).toBe(tokenDigest);
    expect(tokenServer.tokenRequests).toBeGreaterThan(before);
  });

  it('picks linux/amd64 from a multi-arch index by default, another platform on request, and fails clearly for a missing one', async () => {
    const amd64 = index.manifests.find((m) => m.platform.architecture === 'amd64')!;
    const arm64 = index.manifests.find((m) => m.platform.architecture === 'arm64')!;
    const byDefault = await scan(`${open.host}/library/multi:1`);
    expect(byDefault.status).toBe('completed');
    expect(byDefault.manifest_digest).toBe(amd64.digest);
    expect(byDefault.platform).toMatchObject({ os: 'linux', architecture: 'amd64' });

    const requested = await scan(`${open.host}/library/multi:1`, 'linux/arm64');
    expect(requested.status).toBe('completed');
    expect(requested.manifest_digest).toBe(arm64.digest);
    expect(requested.platform).toMatchObject({ os: 'linux', architecture: 'arm64' });

    const missing = await scan(`${open.host}/library/multi:1`, 'linux/s390x');
    expect(missing.status).toBe('failed');
    expect(missing.error?.code).toBe('platform_not_found');
    expect(missing.error?.message).toContain('linux/amd64');
  });

  it('fails with digest_mismatch, never retried, when a registry serves content that does not match', async () => {
    // content never analyzed before, so the scan has to download (and verify) its layer
    const digest = await pushImage(join(fixturesDir(), 'images/layer-edge-cases/two-files.tar'), open, 'edge/two-files:1');
    const manifest = (await (
      await fetch(`${open.url}/v2/edge/two-files/manifests/${digest}`, {
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
      })
    ).json()) as { layers: { digest: string }[] };
    await corruptBlob(open, manifest.layers[0].digest);
    const bad = await scan(`${open.host}/edge/two-files@${digest}`);
    expect(bad.status).toBe('failed');
    expect(bad.error?.code).toBe('digest_mismatch');
    expect(bad.attempts).toBe(1);
  });

  it('fails an index of 10,000 manifests at once with manifest_invalid naming INDEX_MAX_CHILDREN, never retried', async () => {
    const amd64 = index.manifests.find((m) => m.platform.architecture === 'amd64')!;
    const child = await fetch(`${open.url}/v2/library/multi/manifests/${amd64.digest}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    const entry = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: amd64.digest,
      size: (await child.arrayBuffer()).byteLength,
      platform: amd64.platform,
    };
    const mediaType = 'application/vnd.oci.image.index.v1+json';
    await putManifest(open, 'library/multi:fan-out', { schemaVersion: 2, mediaType, manifests: Array(10_000).fill(entry) });

    const fanOut = await scan(`${open.host}/library/multi:fan-out`);
    expect(fanOut.status).toBe('failed');
    expect(fanOut.error?.code).toBe('manifest_invalid');
    expect(fanOut.error?.message).toMatch(/lists 10000 manifests; INDEX_MAX_CHILDREN is 256$/);
    expect(fanOut.attempts).toBe(1);
  });
});
