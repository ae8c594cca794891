import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Commands, ScanTrigger, ScheduleTargetKind } from '@vulnscan/contracts';
import { AmqpConnection, AmqpRequester, CommandFailedError, resolveMessagingOptions } from '@vulnscan/messaging';
import { fixturesDir, pushImage, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, waitForFeeds, waitForScan } from '../support/api';
import { MANIFEST_ACCEPT } from '../support/oci';
import { publishEvents, ServiceProcess, TestPlatform, testSecret, waitFor } from '../support/platform';

const ALPINE = () => join(fixturesDir(), 'images/alpine-310.docker.tar.gz');
const TENANT = 'doomed';
const MIRROR = 'doomed-mirror.test';
/** The gateways' TENANT_RECREATE_DELAY_SECONDS: long enough for the checks after the deletion, short enough to wait out. */
const QUIET_SECONDS = 30;
/** Each gateway replica and the blob cache trust a verified key this long (API_KEY_CACHE_SECONDS, the cache's 10 s) unless told of its revocation. */
const KEY_CACHE_SECONDS = 10;
/** How soon the revocation must reach every cache: well under the caches' own bound, so it is the announcement that did it. */
const REVOKED_EVERYWHERE_MS = 3000;
const basic = (secret: string) => `Basic ${Buffer.from(`x:${secret}`).toString('base64')}`;

/**
 * Every table of every service that holds rows of the tenant, and how to count them: `$1` is the
 * tenant, or for what is keyed by the tenant's upstream (its blob proofs, tags), the upstream's id.
 */
const OWNED_ROWS: Record<string, string> = {
  'scheduler.schedules': `SELECT count(*)::int AS n FROM scheduler.schedules WHERE tenant_id = $1`,
  'scheduler.scans': `SELECT count(*)::int AS n FROM scheduler.scans WHERE tenant_id = $1`,
  'scheduler.scan_batches': `SELECT count(*)::int AS n FROM scheduler.scan_batches WHERE tenant_id = $1`,
  'scheduler.images': `SELECT count(*)::int AS n FROM scheduler.images WHERE tenant_id = $1`,
  'worker.registry_credentials': `SELECT count(*)::int AS n FROM worker.registry_credentials WHERE tenant_id = $1`,
  'worker.reports': `SELECT count(*)::int AS n FROM worker.reports WHERE tenant_id = $1`,
  'cache.upstreams': `SELECT count(*)::int AS n FROM cache.upstreams WHERE tenant_id = $1`,
  'cache.cached_manifests': `SELECT count(*)::int AS n FROM cache.cached_manifests WHERE tenant_id = $1`,
  'cache.cached_tags': `SELECT count(*)::int AS n FROM cache.cached_tags WHERE scope = $2`,
  'cache.cached_blobs': `SELECT count(*)::int AS n FROM cache.cached_blobs WHERE source = $2`,
  'status.webhooks': `SELECT count(*)::int AS n FROM status.webhooks WHERE tenant_id = $1`,
  'status.notifications': `SELECT count(*)::int AS n FROM status.notifications WHERE tenant_id = $1`,
  'status.manifest_security_status': `SELECT count(*)::int AS n FROM status.manifest_security_status WHERE tenant_id = $1`,
  'status.early_scan_states': `SELECT count(*)::int AS n FROM status.early_scan_states WHERE tenant_id = $1`,
  'status.cache_scan_rates': `SELECT count(*)::int AS n FROM status.cache_scan_rates WHERE tenant_id = $1`,
};
const SCHEMAS = ['scheduler', 'worker', 'cache', 'status'];

/**
 * Tenant deletion is an event: a tenant with a schedule, a webhook, a registry credential, an
 * upstream, scans with reports and a manifest cached and scanned through its upstream is deleted
 * through one gateway; its keys stop working on another gateway replica and on /v2/ within seconds
 * (well inside their key caches' 10 s), every service removes its rows and records a tombstone, late events of it create
 * nothing, and the id created again starts empty.
 */
describe('tenant deletion', () => {
  let registry: TestRegistry;
  let receiver: Server;
  let platform: TestPlatform;
  let cache: ServiceProcess;
  let operator: Api;
  let otherReplica: Api;
  let key: string;
  let upstreamId: string;
  let manifestDigest: string;
  let scratch: string;

  beforeAll(async () => {
    registry = await startRegistry();
    manifestDigest = await pushImage(ALPINE(), registry, 'library/alpine:3.10');
    receiver = createServer((_request, response) => response.writeHead(204).end()).listen(0, '127.0.0.1');
    await new Promise((done) => receiver.once('listening', done));
    scratch = await mkdtemp(join(tmpdir(), 'vulnscan-tenant-deletion-'));
    await cp(join(fixturesDir(), 'feeds', 'alpine-secdb', 'v3.10'), join(scratch, 'alpine-v3.10'), { recursive: true });
    platform = new TestPlatform({
      INSECURE_REGISTRIES: `${registry.host}@*`,
      CACHE_INTERNAL_TOKEN: testSecret(),
      CREDENTIALS_ENCRYPTION_KEY: testSecret(),
      WEBHOOK_ENCRYPTION_KEY: testSecret(),
      WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${(receiver.address() as AddressInfo).port}`,
      TENANT_RECREATE_DELAY_SECONDS: String(QUIET_SECONDS),
      API_KEY_CACHE_SECONDS: String(KEY_CACHE_SECONDS),
    });
    const [gateway, , started] = await Promise.all([
      platform.start('gateway'),
      platform.start('scan-scheduler'),
      platform.start('blob-cache-worker', {
        CACHE_ALLOWED_HOSTS: registry.host,
        CACHE_ENCRYPTION_KEY: testSecret(),
        CACHE_STORAGE_DIR: join(scratch, 'cache'),
        CACHE_DOWNLOAD_POLL_MS: '200',
      }),
    ]);
    cache = started;
    operator = new Api(gateway.url);
    const [replica] = await Promise.all([
      platform.start('gateway'),
      platform.start('scanner-worker', {
        CACHE_URL: cache.url,
        VULNDB_SOURCES: `alpine-secdb=${join(scratch, 'alpine-v3.10')}`,
        VULNDB_SYNC_INTERVAL_MINUTES: '0',
      }),
      platform.start('security-status'),
    ]);
    otherReplica = new Api(replica.url);
    await waitForFeeds(operator, 1);
    expect((await operator.post('/api/v1/tenants', { id: TENANT, name: 'to be deleted' })).status).toBe(201);
    key = (await operator.post<{ key: string }>('/api/v1/api-keys', { tenant_id: TENANT, name: 'admin', scopes: ['admin'] })).body.key;
    upstreamId = await giveTheTenantOneOfEverything(operator.withKey(key));
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
    await registry?.stop();
    receiver?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  async function giveTheTenantOneOfEverything(tenant: Api): Promise<string> {
    const image = `${registry.host}/library/alpine:3.10`;
    const scan = await tenant.post<{ scan_id: string }>('/api/v1/scans', { image });
    expect((await waitForScan(tenant, scan.body.scan_id, 120_000)).status).toBe('completed');
    const schedule = await tenant.post('/api/v1/schedules', { name: 'nightly', image, interval: '6h' });
    const credential = await tenant.post('/api/v1/registries', { registry: registry.host, username: 'u', password: 'p' });
    const webhook = await tenant.post('/api/v1/webhooks', {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      events: ['scan.completed'],
    });
    const upstream = await tenant.post<{ id: string }>('/api/v1/upstreams', { registry: MIRROR, url: registry.url });
    expect([schedule.status, credential.status, webhook.status, upstream.status]).toEqual([201, 201, 201, 201]);
    const pulled = await fetch(`${cache.url}/v2/library/alpine/manifests/3.10?ns=${MIRROR}`, {
      headers: { ...MANIFEST_ACCEPT, Authorization: basic(key) },
    });
    expect(pulled.status).toBe(200);
    await waitFor(
      async () => (await tenant.get<{ status: string }>(`/api/v1/manifests/${manifestDigest}/security`)).body.status === 'completed',
      { timeoutMs: 120_000, what: "the tenant's cached manifest scanned" },
    );
    return upstream.body.id;
  }

  async function ownedRows(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const [table, sql] of Object.entries(OWNED_ROWS)) {
      const [query, param] = sql.includes('$2') ? [sql.replace('$2', '$1'), upstreamId] : [sql, TENANT];
      counts[table] = (await platform.query<{ n: number }>(query, [param]))[0].n;
    }
    return counts;
  }

  const none = (counts: Record<string, number>) => Object.values(counts).every((n) => n === 0);

  /** Milliseconds from `since` until `refused` first holds, polled every 100 ms. */
  async function msUntil(since: number, refused: () => Promise<boolean>): Promise<number> {
    await waitFor(refused, { timeoutMs: (KEY_CACHE_SECONDS + 10) * 1000, what: 'the key refused' });
    return Date.now() - since;
  }

  it('is refused for the bootstrap tenant', async () => {
    const answer = await operator.delete<{ code: string }>('/api/v1/tenants/default');
    expect([answer.status, answer.body.code]).toEqual([409, 'tenant_protected']);
  });

  it('removes everything the tenant owns in every service, and its keys stop working on every replica and on /v2/ within seconds', async () => {
    const before = await ownedRows();
    for (const table of ['scheduler.schedules', 'scheduler.scans', 'worker.registry_credentials', 'worker.reports', 'cache.upstreams']) {
      expect(before[table]).toBeGreaterThan(0);
    }
    for (const table of [
      'cache.cached_manifests',
      'cache.cached_tags',
      'cache.cached_blobs',
      'status.webhooks',
      'status.manifest_security_status',
    ]) {
      expect(before[table]).toBeGreaterThan(0);
    }
    // Both replicas and the cache have verified the key just now: each holds it in its cache.
    expect((await otherReplica.withKey(key).get('/api/v1/scans?limit=1')).status).toBe(200);
    expect((await fetch(`${cache.url}/v2/`, { headers: { Authorization: basic(key) } })).status).toBe(200);
    // A scan in flight when the tenant goes.
    const inFlight = await operator
      .withKey(key)
      .post<{ scan_id: string }>('/api/v1/scans', { image: `${registry.host}/library/alpine:3.10`, force_rescan: true });
    expect(inFlight.status).toBe(202);

    const deletedAt = Date.now();
    expect((await operator.delete(`/api/v1/tenants/${TENANT}`)).status).toBe(204);
    const [onThisReplica, onOtherReplica, onV2] = await Promise.all([
      msUntil(deletedAt, async () => (await operator.withKey(key).get('/api/v1/scans?limit=1')).status === 401),
      msUntil(deletedAt, async () => (await otherReplica.withKey(key).get('/api/v1/scans?limit=1')).status === 401),
      msUntil(deletedAt, async () => (await fetch(`${cache.url}/v2/`, { headers: { Authorization: basic(key) } })).status === 401),
    ]);
    console.log(`key refused after deletion: this replica ${onThisReplica} ms, other replica ${onOtherReplica} ms, /v2/ ${onV2} ms`);
    expect(Math.max(onThisReplica, onOtherReplica, onV2)).toBeLessThan(REVOKED_EVERYWHERE_MS);

    const after = await waitFor(
      async () => {
        const counts = await ownedRows();
        return none(counts) ? counts : undefined;
      },
      { timeoutMs: 30_000, what: "the tenant's rows gone in every schema" },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await ownedRows())}`);
    });
    expect(none(after)).toBe(true);
    for (const schema of SCHEMAS) {
      const [tombstone] = await platform.query<{ incarnation: number }>(
        `SELECT incarnation FROM ${schema}.tenant_tombstones WHERE tenant_id = $1`,
        [TENANT],
      );
      expect([schema, tombstone?.incarnation]).toEqual([schema, 1]);
    }
    // Blobs stay in storage for eviction: only the tenant's proofs of them went.
    expect((await platform.query<{ n: number }>(`SELECT count(*)::int AS n FROM cache.stored_blobs`))[0].n).toBeGreaterThan(0);
  }, 120_000);

  it('drops late events of the deleted tenant: they create nothing', async () => {
    const requestId = randomUUID();
    // The control: the same request for a live tenant is accepted.
    const controlId = randomUUID();
    const [cached, requested] = await publishEvents(platform, [
      {
        type: 'manifest.cached.v1',
        tenantId: TENANT,
        payload: {
          upstream: MIRROR,
          repository: 'library/alpine',
          digest: manifestDigest,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          configMediaType: 'application/vnd.docker.container.image.v1+json',
        },
      },
      {
        type: 'scan.requested.v1',
        tenantId: TENANT,
        payload: { requestId, image: `${registry.host}/library/alpine:3.10`, trigger: 'manifest_cached' },
      },
      {
        type: 'scan.requested.v1',
        tenantId: 'default',
        payload: { requestId: controlId, image: `${registry.host}/library/alpine:3.10`, trigger: 'manifest_cached' },
      },
    ]);
    // Handled (each inbox records the message) before anything is judged.
    await waitFor(
      async () =>
        (await platform.query(`SELECT 1 FROM status.inbox WHERE consumer = 'manifest-cached' AND message_id = $1`, [cached])).length > 0 &&
        (await platform.query(`SELECT 1 FROM scheduler.inbox WHERE consumer = 'scan-requested' AND message_id = $1`, [requested])).length >
          0,
      { timeoutMs: 30_000, what: 'the late events handled' },
    );
    expect(none(await ownedRows())).toBe(true);
    const accepted = async (id: string) =>
      (
        await platform.query(`SELECT 1 FROM scheduler.outbox WHERE type = 'scan.accepted.v1' AND envelope->'payload'->>'requestId' = $1`, [
          id,
        ])
      ).length;
    await waitFor(async () => (await accepted(controlId)) === 1, { what: "the live tenant's request accepted" });
    expect(await accepted(requestId)).toBe(0);
  }, 60_000);

  it('refuses scan, schedule and bulk commands still on their way to the deleted tenant: they leave nothing behind', async () => {
    // as a gateway that authenticated the request just before the deletion would send them now
    const options = resolveMessagingOptions({
      service: 'e2e-gateway',
      schema: 'unused',
      amqpUrl: platform.amqpUrl,
      prefix: platform.prefix,
      databaseUrl: platform.databaseUrl,
      connectTimeoutMs: 10_000,
    });
    const connection = new AmqpConnection(options);
    await connection.connect();
    const requester = new AmqpRequester(connection, options);
    try {
      const image = `${registry.host}/library/alpine:3.10`;
      const sent = [
        requester.request(Commands.CreateScan, { tenantId: TENANT, image, trigger: ScanTrigger.Api }, { tenantId: TENANT }),
        requester.request(
          Commands.CreateSchedule,
          { tenantId: TENANT, name: 'late', target: { kind: ScheduleTargetKind.Image, image }, enabled: false },
          { tenantId: TENANT },
        ),
        requester.request(Commands.CreateBulkScan, { tenantId: TENANT, images: [image] }, { tenantId: TENANT }),
      ];
      for (const outcome of await Promise.allSettled(sent)) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(CommandFailedError);
        expect(((outcome as PromiseRejectedResult).reason as CommandFailedError).code).toBe('tenant_deleted');
      }
      expect(none(await ownedRows())).toBe(true);
    } finally {
      await requester.onApplicationShutdown();
      await connection.close();
    }
  });

  it('refuses the id until the quiet period is over, then creates it again empty, as the next incarnation', async () => {
    const early = await operator.post<{ code: string }>('/api/v1/tenants', { id: TENANT, name: 'again' });
    expect([early.status, early.body.code]).toEqual([409, 'tenant_recently_deleted']);
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(0);
    const [{ quiet_until: quietUntil }] = await platform.query<{ quiet_until: Date }>(
      `SELECT quiet_until FROM gateway.tenants WHERE id = $1`,
      [TENANT],
    );
    await new Promise((done) => setTimeout(done, Math.max(0, quietUntil.getTime() - Date.now()) + 100));

    expect((await operator.post('/api/v1/tenants', { id: TENANT, name: 'again' })).status).toBe(201);
    const [{ incarnation }] = await platform.query<{ incarnation: number }>(`SELECT incarnation FROM gateway.tenants WHERE id = $1`, [
      TENANT,
    ]);
    expect(incarnation).toBe(2);
    const fresh = operator.withKey(
      (await operator.post<{ key: string }>('/api/v1/api-keys', { tenant_id: TENANT, name: 'admin', scopes: ['admin'] })).body.key,
    );
    for (const path of ['/api/v1/scans', '/api/v1/schedules', '/api/v1/webhooks', '/api/v1/registries', '/api/v1/manifests']) {
      const answer = await fresh.get<{ items: unknown[] }>(path);
      expect([path, answer.status, answer.body.items]).toEqual([path, 200, []]);
    }
    const upstreams = await fresh.get<{ items: { source: string }[] }>('/api/v1/upstreams');
    expect(upstreams.body.items.filter((upstream) => upstream.source !== 'config')).toEqual([]);
    expect(none(await ownedRows())).toBe(true);
    // The old key stays revoked: a new incarnation gets only the keys made for it.
    expect((await operator.withKey(key).get('/api/v1/scans?limit=1')).status).toBe(401);
  }, 60_000);
});
