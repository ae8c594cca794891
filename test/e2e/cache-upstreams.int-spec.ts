import { createHash } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, pushImage, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, waitForFeeds } from '../support/api';
import { ADMIN_KEY, ServiceProcess, TestPlatform, testSecret, waitFor } from '../support/platform';
import { MANIFEST_ACCEPT } from '../support/oci';

const ALPINE = () => join(fixturesDir(), 'images/alpine-310.docker.tar.gz');
const USER = { username: 'puller', password: 'upstream password 0123456789' };
const INTERNAL_TOKEN = testSecret();

const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface UpstreamItem {
  id: string;
  registry: string;
  url: string;
  source: string;
  read_only: boolean;
  username: string | null;
  has_credentials: boolean;
}

/**
 * Tenants' own cache upstreams through the whole platform: registered through the gateway (a
 * command to the blob-cache-worker), pulled through with the tenant's API key from a real
 * basic-auth docker-registry, never reachable with another tenant's key or none.
 */
describe('blob cache: tenant upstreams from the API', () => {
  let privateRegistry: TestRegistry;
  let publicRegistry: TestRegistry;
  let platform: TestPlatform;
  let cache: ServiceProcess;
  let admin: Api;
  let teamA: Api;
  let teamB: Api;
  let keyA: string;
  let keyB: string;
  let digest: string;
  let storageDir: string;

  beforeAll(async () => {
    [privateRegistry, publicRegistry] = await Promise.all([startRegistry({ auth: 'basic', users: [USER] }), startRegistry()]);
    [digest] = await Promise.all([
      pushImage(ALPINE(), privateRegistry, 'library/alpine:3.10', USER),
      pushImage(ALPINE(), publicRegistry, 'library/alpine:3.10'),
    ]);
    storageDir = await mkdtemp(join(tmpdir(), 'vulnscan-cache-upstreams-'));
    platform = new TestPlatform({ CACHE_INTERNAL_TOKEN: INTERNAL_TOKEN });
    await cp(join(fixturesDir(), 'feeds', 'alpine-secdb', 'v3.10'), join(storageDir, 'alpine-v3.10'), { recursive: true });
    const [gateway, , started] = await Promise.all([
      platform.start('gateway'),
      platform.start('scan-scheduler'),
      platform.start('blob-cache-worker', {
        // The configured upstream serves the bootstrap tenant and team-a, not team-b.
        CACHE_UPSTREAMS: `${publicRegistry.host}=${publicRegistry.url}@default|team-a`,
        CACHE_ALLOWED_HOSTS: privateRegistry.host,
        CACHE_ENCRYPTION_KEY: testSecret(),
        CACHE_STORAGE_DIR: join(storageDir, 'cache'),
        CACHE_DOWNLOAD_POLL_MS: '200',
      }),
    ]);
    cache = started;
    admin = new Api(gateway.url);
    // The scanner-worker reads cached images with the same CACHE_INTERNAL_TOKEN (the platform's base env).
    await Promise.all([
      platform.start('scanner-worker', {
        CACHE_URL: cache.url,
        VULNDB_SOURCES: `alpine-secdb=${join(storageDir, 'alpine-v3.10')}`,
        VULNDB_SYNC_INTERVAL_MINUTES: '0',
      }),
      platform.start('security-status'),
    ]);
    await waitForFeeds(admin, 1);
    for (const tenant of ['team-a', 'team-b']) expect((await admin.post('/api/v1/tenants', { id: tenant, name: tenant })).status).toBe(201);
    const key = async (tenant: string) =>
      (await admin.post<{ key: string }>('/api/v1/api-keys', { tenant_id: tenant, name: 'ci', scopes: ['scans:read', 'scans:write'] })).body
        .key;
    [keyA, keyB] = await Promise.all([key('team-a'), key('team-b')]);
    teamA = admin.withKey(keyA);
    teamB = admin.withKey(keyB);
  });

  afterAll(async () => {
    await platform?.stop();
    await Promise.all([privateRegistry?.stop(), publicRegistry?.stop()]);
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
  });

  const pull = (path: string, ns: string, authorization?: string, headers: Record<string, string> = {}) =>
    fetch(`${cache.url}${path}${path.includes('?') ? '&' : '?'}ns=${encodeURIComponent(ns)}`, {
      headers: { ...MANIFEST_ACCEPT, ...headers, ...(authorization ? { Authorization: authorization } : {}) },
    });
  const errorOf = async (response: Response) => ((await response.json()) as { errors: { code: string; message: string }[] }).errors[0]!;

  it('refuses bad bodies naming the field, configured registries (409) and hosts outside the policy', async () => {
    const bad = await teamA.post<{ fields: string[] }>('/api/v1/upstreams', { registry: 'not a host', url: 'https://ghcr.io/v2' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.sort()).toEqual(['registry', 'url']);
    const half = await teamA.post<{ fields: string[] }>('/api/v1/upstreams', {
      registry: 'ghcr.io',
      url: 'https://ghcr.io',
      username: 'u',
    });
    expect(half.status).toBe(400);
    expect(half.body.fields).toEqual(['password']);
    const withUser = await teamA.post<{ fields: string[] }>('/api/v1/upstreams', { registry: 'ghcr.io', url: 'https://u:p@ghcr.io' });
    expect(withUser.body.fields).toEqual(['url']);

    const configured = await teamA.post<{ code: string }>('/api/v1/upstreams', { registry: publicRegistry.host, url: publicRegistry.url });
    expect(configured.status).toBe(409);
    expect(configured.body.code).toBe('upstream_conflict');
    // team-b, which the configured upstream does not serve, may register that registry as its own
    // (here its loopback URL then meets the host policy instead)
    const unserved = await teamB.post<{ code: string }>('/api/v1/upstreams', { registry: publicRegistry.host, url: publicRegistry.url });
    expect(unserved.status).toBe(400);
    expect(unserved.body.code).toBe('host_not_allowed');
    const metadata = await teamA.post<{ code: string; detail: string }>('/api/v1/upstreams', {
      registry: 'meta.example',
      url: 'http://169.254.169.254',
    });
    expect(metadata.status).toBe(400);
    expect(metadata.body.code).toBe('host_not_allowed');
    const loopback = await teamA.post<{ code: string }>('/api/v1/upstreams', { registry: 'lo.example', url: 'http://127.0.0.1:1' });
    expect(loopback.status).toBe(400);
    expect(loopback.body.code).toBe('host_not_allowed');
    // a public address needs no listing (an IP, so the test needs no DNS); replacing keeps one row
    const first = await teamA.post<UpstreamItem>('/api/v1/upstreams', { registry: 'Public.Example', url: 'https://8.8.8.8' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ registry: 'public.example', has_credentials: false, username: null });
    const replaced = await teamA.post<UpstreamItem>('/api/v1/upstreams', { registry: 'public.example', url: 'https://8.8.4.4' });
    expect(replaced.body).toMatchObject({ id: first.body.id, url: 'https://8.8.4.4' });
    expect((await teamA.delete(`/api/v1/upstreams/${first.body.id}`)).status).toBe(204);
    // a read-only key cannot change upstreams
    const reader = (await admin.post<{ key: string }>('/api/v1/api-keys', { tenant_id: 'team-a', name: 'r', scopes: ['scans:read'] })).body
      .key;
    expect((await admin.withKey(reader).post('/api/v1/upstreams', { registry: 'ghcr.io', url: 'https://ghcr.io' })).status).toBe(403);
  });

  it('registers an upstream with credentials: 201 without the password, listed beside the configured one, stored sealed', async () => {
    const created = await teamA.post<UpstreamItem>('/api/v1/upstreams', {
      registry: privateRegistry.host,
      url: privateRegistry.url,
      username: USER.username,
      password: USER.password,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      registry: privateRegistry.host,
      url: privateRegistry.url,
      source: 'api',
      read_only: false,
      username: USER.username,
      has_credentials: true,
    });
    expect(JSON.stringify(created.body)).not.toContain(USER.password);

    const listed = await teamA.get<{ items: UpstreamItem[] }>('/api/v1/upstreams');
    expect(listed.body.items.map(({ registry, source, read_only }) => ({ registry, source, read_only }))).toEqual([
      { registry: publicRegistry.host, source: 'config', read_only: true },
      { registry: privateRegistry.host, source: 'api', read_only: false },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(USER.password);
    // a configured upstream is listed only to the tenants it serves
    expect((await teamB.get<{ items: UpstreamItem[] }>('/api/v1/upstreams')).body.items).toEqual([]);

    const [row] = await platform.query<{ tenant_id: string; secret: string }>(
      `SELECT tenant_id, secret FROM cache.upstreams WHERE id = $1`,
      [created.body.id],
    );
    expect(row!.tenant_id).toBe('team-a');
    expect(row!.secret).toMatch(/^v1:/);
    expect(row!.secret).not.toContain(USER.password);
  });

  it("pulls through the tenant's upstream with its API key (Bearer or Basic password): same digest, blobs verified", async () => {
    const manifest = await pull('/v2/library/alpine/manifests/3.10', privateRegistry.host, `Bearer ${keyA}`);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('docker-content-digest')).toBe(digest);
    const bytes = Buffer.from(await manifest.arrayBuffer());
    expect(sha256(bytes)).toBe(digest);

    const { layers, config } = JSON.parse(bytes.toString('utf8')) as { layers: { digest: string }[]; config: { digest: string } };
    for (const blob of [config, ...layers]) {
      const response = await pull(`/v2/library/alpine/blobs/${blob.digest}`, privateRegistry.host, basic('anything', keyA));
      expect(response.status).toBe(200);
      expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(blob.digest);
    }
    const byDigest = await pull(`/v2/library/alpine/manifests/${digest}`, privateRegistry.host, basic('x', keyA), {
      'Cache-Control': 'only-if-cached',
    });
    expect(byDigest.status).toBe(200);
  });

  it('answers 401 with the Basic challenge without a key or with a wrong one, /v2/ included (anonymous pulls are off)', async () => {
    for (const authorization of [undefined, 'Bearer not-a-key', basic('x', 'not-a-key')]) {
      const response = await pull('/v2/library/alpine/manifests/3.10', privateRegistry.host, authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="vulnscan"');
      expect((await errorOf(response)).code).toBe('UNAUTHORIZED');
    }
    const probe = await fetch(`${cache.url}/v2/`);
    expect(probe.status).toBe(401);
    expect(probe.headers.get('www-authenticate')).toBe('Basic realm="vulnscan"');
    expect((await pull('/v2/', privateRegistry.host)).status).toBe(401);
    expect((await pull('/v2/', privateRegistry.host, `Bearer ${keyA}`)).status).toBe(200);
    expect((await pull('/v2/library/alpine/manifests/3.10', publicRegistry.host)).status).toBe(401);
  });

  it('serves a configured upstream only to the tenants its CACHE_UPSTREAMS entry names', async () => {
    const unnamed = await pull('/v2/library/alpine/manifests/3.10', publicRegistry.host, `Bearer ${keyB}`);
    expect(unnamed.status).toBe(404);
    expect((await errorOf(unnamed)).code).toBe('NAME_UNKNOWN');
    const bootstrap = await pull('/v2/library/alpine/manifests/3.10', publicRegistry.host, `Bearer ${ADMIN_KEY}`);
    expect(bootstrap.status).toBe(200);
  });

  it("never serves one tenant's upstream or its cached content to another tenant", async () => {
    const other = await pull(`/v2/library/alpine/manifests/${digest}`, privateRegistry.host, `Bearer ${keyB}`);
    expect(other.status).toBe(404);
    expect((await errorOf(other)).code).toBe('NAME_UNKNOWN');

    // team-b registers the same registry without credentials: what team-a's pull cached is not
    // team-b's, so the cache asks the upstream anonymously, which refuses
    const own = await teamB.post<UpstreamItem>('/api/v1/upstreams', { registry: privateRegistry.host, url: privateRegistry.url });
    expect(own.status).toBe(201);
    expect(own.body.has_credentials).toBe(false);
    const anonymous = await pull(`/v2/library/alpine/manifests/${digest}`, privateRegistry.host, `Bearer ${keyB}`);
    expect(anonymous.status).toBe(403);
    expect((await errorOf(anonymous)).code).toBe('DENIED');
    const notCached = await pull(`/v2/library/alpine/manifests/${digest}`, privateRegistry.host, `Bearer ${keyB}`, {
      'Cache-Control': 'only-if-cached',
    });
    expect(notCached.status).toBe(504);
    expect((await teamB.delete(`/api/v1/upstreams/${own.body.id}`)).status).toBe(204);
  });

  it("publishes the cache's events of a pull through the tenant's upstream for that tenant", async () => {
    const envelopes = async () =>
      platform.query<{ type: string; tenant: string; upstream: string }>(
        `SELECT type, envelope->>'tenantId' AS tenant, envelope->'payload'->>'upstream' AS upstream FROM cache.outbox
         WHERE type IN ('manifest.cached.v1', 'manifest.complete.v1') AND envelope->'payload'->>'digest' = $1 ORDER BY id`,
        [digest],
      );
    const rows = await waitFor(
      async () => {
        const found = await envelopes();
        return found.some((row) => row.type === 'manifest.complete.v1' && row.upstream === privateRegistry.host) ? found : undefined;
      },
      { timeoutMs: 60000, what: 'ManifestComplete of the tenant pull' },
    );
    const tenantRows = rows.filter((row) => row.upstream === privateRegistry.host);
    expect(tenantRows.map((row) => [row.type, row.tenant])).toEqual([
      ['manifest.cached.v1', 'team-a'],
      ['manifest.complete.v1', 'team-a'],
    ]);
    // the configured upstream's pull of the same image is the default tenant's
    expect(rows.filter((row) => row.upstream === publicRegistry.host).every((row) => row.tenant === 'default')).toBe(true);
  });

  it("scans the tenant's cached image from the cache with the worker's internal token; only that tenant sees it", async () => {
    const path = `/api/v1/manifests/${digest}/security?repository=${encodeURIComponent(`${privateRegistry.host}/library/alpine`)}`;
    const view = await waitFor(
      async () => {
        const response = await teamA.get<{ status: string; reason: string | null }>(path);
        return response.status === 200 && response.body.status === 'completed' ? response.body : undefined;
      },
      { timeoutMs: 90000, what: "the security status of team-a's image to be completed" },
    );
    expect(view.status).toBe('completed');
    expect((await teamB.get(path)).status).toBe(404);
  });

  it("lets the platform's internal token read a tenant's cached content, only-if-cached", async () => {
    const path = `/v2/library/alpine/manifests/${digest}`;
    const cached = await pull(path, privateRegistry.host, basic('team-a', INTERNAL_TOKEN), { 'Cache-Control': 'only-if-cached' });
    expect(cached.status).toBe(200);
    const pulling = await pull(path, privateRegistry.host, basic('team-a', INTERNAL_TOKEN));
    expect(pulling.status).toBe(403);
    expect((await errorOf(pulling)).code).toBe('DENIED');
    expect((await pull(path, privateRegistry.host, basic('team-b', INTERNAL_TOKEN), { 'Cache-Control': 'only-if-cached' })).status).toBe(
      404,
    );
  });

  it('deletes the upstream: another tenant cannot, its own can, and pulls through it then answer 404', async () => {
    const { body } = await teamA.get<{ items: UpstreamItem[] }>('/api/v1/upstreams');
    const mine = body.items.find((item) => item.source === 'api')!;
    const configured = body.items.find((item) => item.source === 'config')!;
    expect((await teamB.delete(`/api/v1/upstreams/${mine.id}`)).status).toBe(404);
    expect((await teamA.delete(`/api/v1/upstreams/${configured.id}`)).status).toBe(404);
    expect((await teamA.delete(`/api/v1/upstreams/${mine.id}`)).status).toBe(204);
    expect((await teamA.get<{ items: UpstreamItem[] }>('/api/v1/upstreams')).body.items.map((item) => item.source)).toEqual(['config']);

    const gone = await pull(`/v2/library/alpine/manifests/${digest}`, privateRegistry.host, `Bearer ${keyA}`);
    expect(gone.status).toBe(404);
    expect((await errorOf(gone)).code).toBe('NAME_UNKNOWN');
  });
});
