import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CountingRelay, gzipTarLayer, pushLayers, startCountingRelay, startRegistry, TestLayer, TestRegistry } from '@vulnscan/testing';
import { Api } from '../support/api';
import { ADMIN_KEY, ServiceProcess, TestPlatform, waitFor } from '../support/platform';
import { MANIFEST_ACCEPT } from '../support/oci';

const MiB = 1024 * 1024;
/** Storage the cache may hold here: less than the images the eviction test pulls. */
const MAX_BYTES = 3 * MiB;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const randomLayer = (mib: number) => gzipTarLayer([{ name: 'data/random', content: randomBytes(Math.round(mib * MiB)) }]);

/** A manifest an upstream serves, naming `layers` (digest and the size it claims) it may not hold at all. */
function manifestNaming(layers: { digest: string; size: number }[]): { bytes: Buffer; digest: string } {
  const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(randomBytes(32)), size: 2 };
  const layerRefs = layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }));
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: layerRefs }));
  return { bytes, digest: sha256(bytes) };
}

/**
 * The cache as a tenant with bad intentions meets it (issue 12): its own upstream names another
 * tenant's private layer, or a public layer with a wrong size; it pulls through a configured
 * upstream that does not serve it. And storage stays under CACHE_MAX_BYTES. Real docker-registry
 * upstreams behind counting relays (the hostile tenant's relay answers its manifests itself, as
 * a registry it controls would), real Postgres and RabbitMQ.
 */
describe('blob cache: tenants cannot leak or poison it', () => {
  let privateRegistry: TestRegistry;
  let hostileRegistry: TestRegistry;
  let publicRegistry: TestRegistry;
  let publicRelay: CountingRelay;
  let hostileRelay: CountingRelay;
  let platform: TestPlatform;
  let cache: ServiceProcess;
  let storageDir: string;
  let keyA: string;
  let keyB: string;
  let keyC: string;
  let secretLayer: TestLayer;
  let publicLayer: TestLayer;

  beforeAll(async () => {
    [privateRegistry, hostileRegistry, publicRegistry] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
    [secretLayer, publicLayer] = await Promise.all([randomLayer(0.25), randomLayer(0.25)]);
    await Promise.all([
      pushLayers(privateRegistry, 'team-a/secret', '1', [secretLayer]),
      pushLayers(publicRegistry, 'library/public', '1', [publicLayer]),
    ]);
    [publicRelay, hostileRelay] = await Promise.all([startCountingRelay(publicRegistry.url), startCountingRelay(hostileRegistry.url)]);
    storageDir = await mkdtemp(join(tmpdir(), 'vulnscan-cache-tenancy-'));
    platform = new TestPlatform();
    const [gateway, , started] = await Promise.all([
      platform.start('gateway'),
      platform.start('scan-scheduler'),
      platform.start('blob-cache-worker', {
        // The public upstream serves the bootstrap tenant, team-a and team-b, not team-c.
        CACHE_UPSTREAMS: `${publicRegistry.host}=${publicRelay.url}@default|team-a|team-b`,
        CACHE_ALLOWED_HOSTS: `${privateRegistry.host},${hostileRelay.host}`,
        CACHE_STORAGE_DIR: storageDir,
        CACHE_DOWNLOAD_POLL_MS: '200',
        CACHE_DOWNLOAD_RETRY_SECONDS: '1',
        CACHE_DOWNLOAD_MAX_ATTEMPTS: '2',
        CACHE_MAX_BYTES: String(MAX_BYTES),
        CACHE_EVICTION_GRACE_SECONDS: '0',
      }),
    ]);
    cache = started;
    const admin = new Api(gateway.url);
    for (const tenant of ['team-a', 'team-b', 'team-c']) {
      expect((await admin.post('/api/v1/tenants', { id: tenant, name: tenant })).status).toBe(201);
    }
    const key = async (tenant: string) =>
      (await admin.post<{ key: string }>('/api/v1/api-keys', { tenant_id: tenant, name: 'ci', scopes: ['scans:read', 'scans:write'] })).body
        .key;
    [keyA, keyB, keyC] = await Promise.all([key('team-a'), key('team-b'), key('team-c')]);
    const register = async (key: string, registry: string, url: string) =>
      expect((await admin.withKey(key).post('/api/v1/upstreams', { registry, url })).status).toBe(201);
    await register(keyA, privateRegistry.host, privateRegistry.url);
    await register(keyB, hostileRelay.host, hostileRelay.url);
  });

  afterAll(async () => {
    await platform?.stop();
    await Promise.all([publicRelay?.stop(), hostileRelay?.stop()]);
    await Promise.all([privateRegistry?.stop(), hostileRegistry?.stop(), publicRegistry?.stop()]);
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
  });

  const pull = (path: string, ns: string, key: string, headers: Record<string, string> = {}) =>
    fetch(`${cache.url}${path}?ns=${encodeURIComponent(ns)}`, {
      headers: { ...MANIFEST_ACCEPT, ...headers, Authorization: `Bearer ${key}` },
    });
  const errorOf = async (response: Response) => ((await response.json()) as { errors: { code: string; message: string }[] }).errors[0]!;

  /** Pulls a manifest and every layer it names in full; answers the layers' digests as served. */
  async function pullImage(repository: string, ns: string, key: string): Promise<string[]> {
    const manifest = await pull(`/v2/${repository}/manifests/1`, ns, key);
    expect(manifest.status).toBe(200);
    const { layers } = (await manifest.json()) as { layers: { digest: string }[] };
    const served: string[] = [];
    for (const layer of layers) {
      const blob = await pull(`/v2/${repository}/blobs/${layer.digest}`, ns, key);
      expect(blob.status).toBe(200);
      served.push(sha256(Buffer.from(await blob.arrayBuffer())));
    }
    return served;
  }

  /** The hostile tenant's registry answers this manifest itself, whatever it names. */
  function serveFromHostile(repository: string, manifest: { bytes: Buffer; digest: string }): void {
    hostileRelay.answer((request) => request.path === `/v2/${repository}/manifests/1` || request.path.endsWith(manifest.digest), {
      status: 200,
      headers: {
        'content-type': OCI_MANIFEST,
        'docker-content-digest': manifest.digest,
        'content-length': String(manifest.bytes.length),
      },
      body: manifest.bytes.toString('utf8'),
    });
  }

  it("refuses a tenant whose own upstream's manifest names another tenant's private layer", async () => {
    expect(await pullImage('team-a/secret', privateRegistry.host, keyA)).toEqual([sha256(secretLayer.bytes)]);
    const digest = sha256(secretLayer.bytes);
    const attack = manifestNaming([{ digest, size: secretLayer.bytes.length }]);
    serveFromHostile('evil/steal', attack);

    expect((await pull('/v2/evil/steal/manifests/1', hostileRelay.host, keyB)).status).toBe(200);
    const stolen = await pull(`/v2/evil/steal/blobs/${digest}`, hostileRelay.host, keyB);
    expect(stolen.status).toBe(404);
    expect((await errorOf(stolen)).code).toBe('BLOB_UNKNOWN');
    // The cache asked team-b's own upstream for the bytes, which does not have them.
    expect(hostileRelay.count(`/v2/evil/steal/blobs/${digest}`)).toBeGreaterThanOrEqual(1);
    const cachedOnly = await pull(`/v2/evil/steal/blobs/${digest}`, hostileRelay.host, keyB, { 'Cache-Control': 'only-if-cached' });
    expect(cachedOnly.status).toBe(504);
    // Team-a still reads its layer.
    expect((await pull(`/v2/team-a/secret/blobs/${digest}`, privateRegistry.host, keyA)).status).toBe(200);
  });

  it("does not let a wrong-size placeholder registered first break another tenant's pull of a public layer", async () => {
    const digest = sha256(publicLayer.bytes);
    const poison = manifestNaming([{ digest, size: publicLayer.bytes.length + 7 }]);
    serveFromHostile('evil/poison', poison);
    expect((await pull('/v2/evil/poison/manifests/1', hostileRelay.host, keyB)).status).toBe(200);
    expect((await pull(`/v2/evil/poison/blobs/${digest}`, hostileRelay.host, keyB)).status).not.toBe(200);

    expect(await pullImage('library/public', publicRegistry.host, keyA)).toEqual([digest]);
    expect(await pullImage('library/public', publicRegistry.host, ADMIN_KEY)).toEqual([digest]);
    const rows = await platform.query<{ source: string; size: string; state: string }>(
      `SELECT source, size::text, state FROM cache.cached_blobs WHERE digest = $1 ORDER BY source`,
      [digest],
    );
    expect(rows.find((row) => row.source === `config:${publicRegistry.host}`)).toEqual({
      source: `config:${publicRegistry.host}`,
      size: String(publicLayer.bytes.length),
      state: 'placed',
    });
  });

  it('refuses a tenant that the configured upstream does not name, and anonymous pulls', async () => {
    const refused = await pull('/v2/library/public/manifests/1', publicRegistry.host, keyC);
    expect(refused.status).toBe(404);
    expect((await errorOf(refused)).code).toBe('NAME_UNKNOWN');
    const anonymous = await fetch(`${cache.url}/v2/library/public/manifests/1?ns=${publicRegistry.host}`, { headers: MANIFEST_ACCEPT });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="vulnscan"');
  });

  it('keeps storage under CACHE_MAX_BYTES, least recently used first, and fetches an evicted blob again', async () => {
    const layers = await Promise.all([1, 2, 3, 4].map(() => randomLayer(1)));
    for (const [index, layer] of layers.entries()) await pushLayers(publicRegistry, `bulk/image-${index}`, '1', [layer]);
    for (const [index, layer] of layers.entries()) {
      expect(await pullImage(`bulk/image-${index}`, publicRegistry.host, ADMIN_KEY)).toEqual([sha256(layer.bytes)]);
    }
    const used = async () =>
      Number((await platform.query<{ used: string }>(`SELECT coalesce(sum(size), 0)::text AS used FROM cache.stored_blobs`))[0]!.used);
    await waitFor(async () => (await used()) <= MAX_BYTES && (await bytesOnDisk(join(storageDir, 'blobs'))) <= MAX_BYTES, {
      timeoutMs: 60000,
      what: 'storage under CACHE_MAX_BYTES',
    });
    // The first image's layer was the least recently used: it is gone, and a pull fetches it again.
    const first = sha256(layers[0]!.bytes);
    const path = `/v2/bulk/image-0/blobs/${first}`;
    expect(await platform.query(`SELECT 1 FROM cache.stored_blobs WHERE digest = $1`, [first])).toEqual([]);
    expect(publicRelay.count(path)).toBe(1);
    const again = await pull(path, publicRegistry.host, ADMIN_KEY);
    expect(again.status).toBe(200);
    expect(sha256(Buffer.from(await again.arrayBuffer()))).toBe(first);
    expect(publicRelay.count(path)).toBe(2);
  });
});

/** Bytes of the files below `dir`. */
async function bytesOnDisk(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
