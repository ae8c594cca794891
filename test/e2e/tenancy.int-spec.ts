import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, pushImage, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, waitForFeeds, waitForScan } from '../support/api';
import { MANIFEST_ACCEPT } from '../support/oci';
import { ServiceProcess, TestPlatform, testSecret, waitFor } from '../support/platform';
import { Probe, tenancyTable, TenantAResources, v2Probes } from '../support/tenancy-table';

const ALPINE = () => join(fixturesDir(), 'images/alpine-310.docker.tar.gz');
const B_SCOPES = ['scans:read', 'scans:write', 'admin'] as const;
const basic = (secret: string) => `Basic ${Buffer.from(`x:${secret}`).toString('base64')}`;

/**
 * Tenants sealed, route by route: tenant A owns one of everything (scans, report, SBOM, schedule,
 * batch, registry credential, webhook, upstream, key, a manifest cached through its upstream);
 * tenant B's keys of every non-operator scope walk every route of the OpenAPI document and the
 * /v2/ cache, and reach none of it.
 */
describe('tenancy: every route, every tenant scope', () => {
  let registry: TestRegistry;
  let receiver: Server;
  let platform: TestPlatform;
  let cache: ServiceProcess;
  let operator: Api;
  let tenantA: Api;
  let keyA: string;
  let a: TenantAResources;
  const keysB = new Map<string, string>();
  let scratch: string;

  beforeAll(async () => {
    registry = await startRegistry();
    const digest = await pushImage(ALPINE(), registry, 'library/alpine:3.10');
    receiver = createServer((_request, response) => response.writeHead(204).end()).listen(0, '127.0.0.1');
    await new Promise((done) => receiver.once('listening', done));
    scratch = await mkdtemp(join(tmpdir(), 'vulnscan-tenancy-'));
    await cp(join(fixturesDir(), 'feeds', 'alpine-secdb', 'v3.10'), join(scratch, 'alpine-v3.10'), { recursive: true });
    platform = new TestPlatform({
      INSECURE_REGISTRIES: `${registry.host}@*`,
      CACHE_INTERNAL_TOKEN: testSecret(),
      CREDENTIALS_ENCRYPTION_KEY: testSecret(),
      WEBHOOK_ENCRYPTION_KEY: testSecret(),
      WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    });
    const [gateway, , started] = await Promise.all([
      platform.start('gateway'),
      platform.start('scan-scheduler'),
      platform.start('blob-cache-worker', {
        CACHE_UPSTREAMS: `docker.io=https://registry-1.docker.io`,
        CACHE_ALLOWED_HOSTS: registry.host,
        CACHE_ENCRYPTION_KEY: testSecret(),
        CACHE_STORAGE_DIR: join(scratch, 'cache'),
        CACHE_DOWNLOAD_POLL_MS: '200',
      }),
    ]);
    cache = started;
    operator = new Api(gateway.url);
    await Promise.all([
      platform.start('scanner-worker', {
        CACHE_URL: cache.url,
        VULNDB_SOURCES: `alpine-secdb=${join(scratch, 'alpine-v3.10')}`,
        VULNDB_SYNC_INTERVAL_MINUTES: '0',
      }),
      platform.start('security-status'),
    ]);
    await waitForFeeds(operator, 1);
    for (const id of ['tenant-a', 'tenant-b']) expect((await operator.post('/api/v1/tenants', { id, name: id })).status).toBe(201);
    const key = async (tenant: string, scopes: string[]) =>
      (await operator.post<{ key: string; id: string }>('/api/v1/api-keys', { tenant_id: tenant, name: scopes.join('+'), scopes })).body;
    keyA = (await key('tenant-a', ['admin'])).key;
    tenantA = operator.withKey(keyA);
    for (const scope of B_SCOPES) keysB.set(scope, (await key('tenant-b', [scope])).key);
    a = await makeTenantA(digest);
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
    await registry?.stop();
    receiver?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** One of every resource a tenant can own, made through the API and the cache as tenant A. */
  async function makeTenantA(manifestDigest: string): Promise<TenantAResources> {
    const image = `${registry.host}/library/alpine:3.10`;
    const first = await tenantA.post<{ scan_id: string }>('/api/v1/scans', { image });
    expect((await waitForScan(tenantA, first.body.scan_id, 120_000)).status).toBe('completed');
    const second = await tenantA.post<{ scan_id: string }>('/api/v1/scans', { image, force_rescan: true });
    expect((await waitForScan(tenantA, second.body.scan_id, 120_000)).status).toBe('completed');
    const schedule = await tenantA.post<{ id: string }>('/api/v1/schedules', { name: 'a nightly', image, enabled: false });
    expect(schedule.status).toBe(201);
    const bulk = await tenantA.post<{ batch_id: string }>('/api/v1/scans/bulk', { images: [image], force_rescan: true });
    expect(bulk.status).toBe(202);
    await waitFor(
      async () => (await tenantA.get<{ status: string }>(`/api/v1/batches/${bulk.body.batch_id}`)).body.status === 'completed',
      {
        timeoutMs: 120_000,
        what: "tenant A's batch",
      },
    );
    const credential = await tenantA.post<{ id: string }>('/api/v1/registries', { registry: registry.host, username: 'a', password: 'p' });
    const webhook = await tenantA.post<{ id: string }>('/api/v1/webhooks', {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/a`,
      events: ['scan.completed'],
    });
    const upstream = await tenantA.post<{ id: string }>('/api/v1/upstreams', { registry: 'a-mirror.test', url: registry.url });
    const ownKey = await tenantA.post<{ id: string }>('/api/v1/api-keys', { name: 'a-ci', scopes: ['scans:read'] });
    expect([credential.status, webhook.status, upstream.status, ownKey.status]).toEqual([201, 201, 201, 201]);

    // a manifest through A's own upstream, scanned by security-status once its blobs are in
    const pulled = await fetch(`${cache.url}/v2/library/alpine/manifests/3.10?ns=a-mirror.test`, {
      headers: { ...MANIFEST_ACCEPT, Authorization: basic(keyA) },
    });
    expect(pulled.status).toBe(200);
    const manifest = (await pulled.json()) as { layers: { digest: string }[] };
    await waitFor(
      async () => (await tenantA.get<{ status: string }>(`/api/v1/manifests/${manifestDigest}/security`)).body.status === 'completed',
      { timeoutMs: 120_000, what: "tenant A's cached manifest scanned" },
    );
    return {
      scanIds: [first.body.scan_id, second.body.scan_id],
      image,
      manifestDigest,
      layerDigest: manifest.layers[0].digest,
      repository: 'library/alpine',
      upstreamRegistry: 'a-mirror.test',
      scheduleId: schedule.body.id,
      batchId: bulk.body.batch_id,
      credentialId: credential.body.id,
      webhookId: webhook.body.id,
      upstreamId: upstream.body.id,
      keyId: ownKey.body.id,
    };
  }

  /** A's ids: none may appear in anything B reads. */
  const idsOfA = () => [...a.scanIds, a.scheduleId, a.batchId, a.credentialId, a.webhookId, a.upstreamId, a.keyId];

  /** What A sees of its own data, in a form that changes only when the data does. */
  async function snapshotOfA(): Promise<unknown> {
    const ids = async (path: string, field = 'id') =>
      ((await tenantA.get<{ items: Record<string, unknown>[] }>(path)).body.items ?? []).map((item) => String(item[field])).sort();
    const schedule = await tenantA.get<{ enabled: boolean; name: string }>(`/api/v1/schedules/${a.scheduleId}`);
    const batch = await tenantA.get<{ status: string; canceled_at: string | null }>(`/api/v1/batches/${a.batchId}`);
    const scans = await tenantA.get<{ items: { scan_id: string; status: string }[] }>('/api/v1/scans?limit=500');
    return {
      scans: scans.body.items.map((scan) => `${scan.scan_id} ${scan.status}`).sort(),
      schedule: [schedule.status, schedule.body.enabled, schedule.body.name],
      batch: [batch.status, batch.body.status, batch.body.canceled_at],
      registries: await ids('/api/v1/registries'),
      webhooks: await ids('/api/v1/webhooks'),
      upstreams: await ids('/api/v1/upstreams'),
      keys: await ids('/api/v1/api-keys'),
      manifests: await ids('/api/v1/manifests', 'digest'),
      key_works: (await tenantA.withKey(keyA).get('/api/v1/scans?limit=1')).status,
    };
  }

  it('has an entry for every route of the OpenAPI document, and a route for every entry', async () => {
    const document = await operator.get<{ paths: Record<string, Record<string, unknown>> }>('/api/docs/openapi.json');
    const routes = Object.entries(document.body.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.sort()).toEqual(Object.keys(tenancyTable(a)).sort());
  });

  it("lets no key of tenant B reach tenant A's resources through any route, and changes nothing of A's", async () => {
    const before = await snapshotOfA();
    const violations: string[] = [];
    for (const [scope, secret] of keysB) {
      const b = operator.withKey(secret);
      for (const [route, probes] of Object.entries(tenancyTable(a))) {
        const method = route.split(' ')[0];
        for (const probe of probes) {
          const answer = await b.request(method, probe.path, probeBody(probe, method));
          const problem = judge(probe, answer.status, JSON.stringify(answer.body ?? ''));
          if (problem) violations.push(`${scope} ${method} ${probe.path}: ${problem} (HTTP ${answer.status})`);
        }
      }
    }
    expect(violations).toEqual([]);
    expect(await snapshotOfA()).toEqual(before);
  });

  it("serves none of A's cached manifests and layers to B through /v2/, by A's upstream or by digest", async () => {
    const violations: string[] = [];
    for (const [scope, secret] of keysB) {
      for (const [kind, probes] of Object.entries(v2Probes(a))) {
        for (const probe of probes) {
          const response = await fetch(`${cache.url}${probe.path}`, { headers: { ...MANIFEST_ACCEPT, Authorization: basic(secret) } });
          const text = await response.text();
          const leaked = probe.expect === 'refused' ? ![401, 403, 404].includes(response.status) : idsOfA().some((id) => text.includes(id));
          if (leaked) violations.push(`${scope} ${kind} ${probe.path}: HTTP ${response.status}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  /** Why an answer breaks the seal, or undefined when it keeps it. */
  function judge(probe: Probe, status: number, body: string): string | undefined {
    const foreignId = idsOfA().find((id) => body.includes(id));
    if (status >= 500 && status !== 503) return 'server error';
    switch (probe.kind) {
      case 'foreign':
        return [403, 404].includes(status) ? undefined : 'reached a resource of tenant A';
      case 'operator':
        return status === 403 ? undefined : 'a tenant key passed an operator route';
      case 'own':
        if (probe.check === 'refused' && ![400, 403, 404].includes(status)) return 'was not refused';
        return foreignId ? `answered with tenant A's id ${foreignId}` : undefined;
      case 'list':
      case 'public':
        return foreignId ? `listed tenant A's id ${foreignId}` : undefined;
      case 'own-log': {
        if (status !== 200) return status === 403 ? undefined : 'did not answer';
        const entries = (JSON.parse(body) as { items: { tenant_id: string; status: number }[] }).items;
        const foreign = entries.find((entry) => entry.tenant_id !== 'tenant-b');
        if (foreign) return `listed an entry of tenant ${foreign.tenant_id}`;
        const reached = entries.find((entry) => entry.status < 400 && idsOfA().some((id) => JSON.stringify(entry).includes(id)));
        return reached ? `records a request of B that reached tenant A: ${JSON.stringify(reached)}` : undefined;
      }
    }
  }

  const probeBody = (probe: Probe, method: string): unknown =>
    'body' in probe && probe.body !== undefined ? probe.body : method === 'POST' || method === 'PATCH' ? {} : undefined;
});
