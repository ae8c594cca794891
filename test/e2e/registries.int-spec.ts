import { join } from 'node:path';
import { corruptBlob, fixturesDir, pushImage, pushMultiArchIndex, startRegistry, startTokenServer, TestRegistry, TokenServer } from '@vulnscan/testing';
import { Api, waitForScan } from '../support/api';
import { TestPlatform } from '../support/platform';

const ALPINE = () => join(fixturesDir(), 'images/alpine-310.docker.tar.gz');
const USER = { username: 'scanner', password: 'correct horse battery staple' };

/** Registry auth (basic, bearer token) and multi-arch indexes, through the whole platform. */
describe('scans against real registries', () => {
  let open: TestRegistry;
  let basic: TestRegistry;
  let basicWithoutCredentials: TestRegistry;
  let tokenServer: TokenServer;
  let tokenRegistry: TestRegistry;
  let platform: TestPlatform;
  let api: Api;
  let basicDigest: string;
  let tokenDigest: string;
  let index: Awaited<ReturnType<typeof pushMultiArchIndex>>;

  beforeAll(async () => {
    tokenServer = await startTokenServer({ users: [USER] });
    [open, basic, basicWithoutCredentials, tokenRegistry] = await Promise.all([
      startRegistry(),
      startRegistry({ auth: 'basic', users: [USER] }),
      startRegistry({ auth: 'basic', users: [USER] }),
      startRegistry({ auth: 'token', tokenServer }),
    ]);
    [basicDigest, , tokenDigest, index] = await Promise.all([
      pushImage(ALPINE(), basic, 'library/alpine:3.10', USER),
      pushImage(ALPINE(), basicWithoutCredentials, 'library/alpine:3.10', USER),
      pushImage(ALPINE(), tokenRegistry, 'library/alpine:3.10', USER),
      pushMultiArchIndex(open, 'library/multi:1', [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ]),
    ]);
    const registries = [open, basic, basicWithoutCredentials, tokenRegistry];
    platform = new TestPlatform({
      INSECURE_REGISTRIES: registries.map((registry) => registry.host).join(','),
      // the token server is a loopback host too: it must be allowed like any registry
      REGISTRY_ALLOWED_HOSTS: new URL(tokenServer.realm).host,
      REGISTRY_CREDENTIALS: JSON.stringify({ [basic.host]: USER, [tokenRegistry.host]: USER }),
    });
    await Promise.all([platform.start('scan-scheduler'), platform.start('scanner-worker')]);
    api = new Api((await platform.start('gateway')).url);
  });

  afterAll(async () => {
    await platform?.stop();
    await Promise.all([open, basic, basicWithoutCredentials, tokenRegistry].map((registry) => registry?.stop()));
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
    const good = await scan(`${open.host}/library/multi:1`);
    await corruptBlob(open, good.layers[0].digest);
    const bad = await scan(`${open.host}/library/multi@${good.manifest_digest}`);
    expect(bad.status).toBe('failed');
    expect(bad.error?.code).toBe('digest_mismatch');
    expect(bad.attempts).toBe(1);
  });
});
