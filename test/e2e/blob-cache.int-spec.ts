import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  corruptBlob,
  CountingRelay,
  fixturesDir,
  gzipTarLayer,
  inspectRaw,
  pushImage,
  pushLayers,
  pushMultiArchIndex,
  startCountingRelay,
  startRegistry,
  TestLayer,
  TestRegistry,
} from '@vulnscan/testing';
import { ServiceProcess, TestPlatform, waitFor } from '../support/platform';
import { MANIFEST_ACCEPT } from '../support/oci';

const execFileAsync = promisify(execFile);
const ALPINE = () => join(fixturesDir(), 'images/alpine-310.docker.tar.gz');
const ONLY_IF_CACHED = { 'Cache-Control': 'only-if-cached' };
const CACHED = 'manifest.cached.v1';
const COMPLETE = 'manifest.complete.v1';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const randomLayer = (mib: number) => gzipTarLayer([{ name: 'data/random', content: randomBytes(mib * 1024 * 1024) }]);

interface Envelope {
  type: string;
  payload: Record<string, unknown>;
}

/**
 * The pull-through cache against a real docker-registry upstream, reached through a relay that
 * counts (and can hold or answer) every upstream request, with real Postgres and RabbitMQ.
 */
describe('blob-cache-worker: OCI pull-through cache', () => {
  let registry: TestRegistry;
  let second: TestRegistry;
  let relay: CountingRelay;
  let platform: TestPlatform;
  let cache: ServiceProcess;
  let storageDir: string;
  let alpineDigest: string;
  let badLayerPath: string;

  beforeAll(async () => {
    [registry, second] = await Promise.all([startRegistry(), startRegistry()]);
    [alpineDigest] = await Promise.all([
      pushImage(ALPINE(), registry, 'library/alpine:3.10'),
      pushImage(ALPINE(), registry, 'mirror/alpine:3.10'),
      pushLayers(second, 'tools/only-here', '1', [await randomLayer(0.1)]),
    ]);
    relay = await startCountingRelay(registry.url);
    storageDir = await mkdtemp(join(tmpdir(), 'vulnscan-blob-cache-'));
    platform = new TestPlatform();
    cache = await platform.start('blob-cache-worker', {
      // skopeo and these requests pull anonymously: what they test is not who pulls.
      CACHE_ANONYMOUS_PULLS: 'true',
      // The first upstream is the default; its name is the registry's host, its URL the relay's.
      CACHE_UPSTREAMS: `${registry.host}=${relay.url},${second.host}=${second.url}`,
      CACHE_STORAGE_DIR: storageDir,
      CACHE_TAG_TTL_SECONDS: '2',
      CACHE_DOWNLOAD_RETRY_SECONDS: '1',
      CACHE_DOWNLOAD_POLL_MS: '200',
    });
  });

  afterAll(async () => {
    await platform?.stop();
    await relay?.stop();
    await Promise.all([registry?.stop(), second?.stop()]);
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${cache.url}${path}`, { method, headers });
  const errorOf = async (response: Response) => ((await response.json()) as { errors: { code: string; message: string }[] }).errors[0]!;
  const skopeoCopy = (image: string, dir: string) =>
    execFileAsync('skopeo', [
      '--insecure-policy',
      'copy',
      '--src-tls-verify=false',
      `docker://127.0.0.1:${cache.port}/${image}`,
      `dir:${dir}`,
    ]);

  async function events(repository: string, digest: string): Promise<Envelope[]> {
    const rows = await platform.query<{ envelope: Envelope }>(
      `SELECT envelope FROM cache.outbox WHERE type IN ($1, $2)
       AND envelope->'payload'->>'repository' = $3 AND envelope->'payload'->>'digest' = $4 ORDER BY id`,
      [CACHED, COMPLETE, repository, digest],
    );
    return rows.map((row) => row.envelope);
  }

  /** Waits for ManifestComplete, then a little longer, so a second one would have shown up too. */
  async function eventsOnceComplete(repository: string, digest: string): Promise<Envelope[]> {
    await waitFor(async () => (await events(repository, digest)).some((event) => event.type === COMPLETE), {
      timeoutMs: 60000,
      what: `ManifestComplete of ${repository}@${digest}`,
    });
    await sleep(1500);
    return events(repository, digest);
  }

  async function blobStates(repository: string, digest: string) {
    return platform.query<{ digest: string; state: string; placed: boolean; last_error: string | null }>(
      `SELECT b.digest, b.state, b.placed_at IS NOT NULL AS placed, b.last_error FROM cache.cached_manifests m
       JOIN cache.manifest_blobs mb ON mb.manifest_id = m.id JOIN cache.cached_blobs b ON b.digest = mb.digest
       WHERE m.repository = $1 AND m.digest = $2 ORDER BY b.digest`,
      [repository, digest],
    );
  }

  const storedFile = (digest: string) => join(storageDir, 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7));

  it('answers GET /v2/ like a registry', async () => {
    const response = await get('/v2/');
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('lets skopeo pull alpine:3.10 through it unchanged, then publishes ManifestCached and, once every blob is placed, one ManifestComplete', async () => {
    const upstream = await inspectRaw(registry, 'library/alpine:3.10');
    expect(upstream.digest).toBe(alpineDigest);
    const dir = await mkdtemp(join(tmpdir(), 'vulnscan-pull-'));
    try {
      await skopeoCopy('library/alpine:3.10', dir);
      expect(sha256(await readFile(join(dir, 'manifest.json')))).toBe(upstream.digest);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const published = await eventsOnceComplete('library/alpine', alpineDigest);
    expect(published.map((event) => event.type)).toEqual([CACHED, COMPLETE]);
    expect(published[0]!.payload).toEqual({
      upstream: registry.host,
      repository: 'library/alpine',
      digest: alpineDigest,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      configMediaType: 'application/vnd.docker.container.image.v1+json',
      complete: false,
    });
    expect(published[1]!.payload).toEqual({
      upstream: registry.host,
      repository: 'library/alpine',
      digest: alpineDigest,
      completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
    });

    const blobs = await blobStates('library/alpine', alpineDigest);
    expect(blobs).toHaveLength(2); // config and the one layer
    for (const blob of blobs) {
      expect(blob).toMatchObject({ state: 'placed', placed: true });
      expect(sha256(await readFile(storedFile(blob.digest)))).toBe(blob.digest);
    }
  });

  it('makes one upstream GET for twenty concurrent GETs of a cold blob, and only-if-cached never reaches upstream', async () => {
    const layer = await randomLayer(3);
    const digest = await pushLayers(registry, 'cold/one', '1', [layer]);
    const blobPath = `/v2/cold/one/blobs/${sha256(layer.bytes)}`;
    const release = relay.hold((request) => request.path === blobPath);
    try {
      expect((await get('/v2/cold/one/manifests/1', MANIFEST_ACCEPT)).status).toBe(200);
      // The background download has reached the upstream and is held there: the blob is cold.
      await waitFor(async () => relay.count(blobPath) === 1, { what: 'the background download to reach upstream' });
      const cold = await get(blobPath, ONLY_IF_CACHED);
      expect(cold.status).toBe(504);
      expect((await errorOf(cold)).code).toBe('BLOB_UNKNOWN');

      const pulls = Array.from({ length: 20 }, async () => {
        const response = await get(blobPath);
        return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
      });
      await sleep(500);
      release();
      for (const pull of await Promise.all(pulls)) {
        expect(pull.status).toBe(200);
        expect(pull.bytes.equals(layer.bytes)).toBe(true);
      }
    } finally {
      release();
    }
    expect(relay.count(blobPath)).toBe(1);
    await eventsOnceComplete('cold/one', digest);
    const warm = await get(blobPath, ONLY_IF_CACHED);
    expect(warm.status).toBe(200);
    expect(Buffer.from(await warm.arrayBuffer()).equals(layer.bytes)).toBe(true);
    expect(relay.count(blobPath)).toBe(1);
  });

  it('completes a manifest of another repository at once when all its blobs are already placed', async () => {
    const response = await get('/v2/mirror/alpine/manifests/3.10', MANIFEST_ACCEPT);
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(alpineDigest);
    // Stored and completed in one transaction: both events exist as soon as the answer does.
    const published = await events('mirror/alpine', alpineDigest);
    expect(published.map((event) => event.type)).toEqual([CACHED, COMPLETE]);
    expect(published[0]!.payload).toMatchObject({ repository: 'mirror/alpine', complete: true });

    const dir = await mkdtemp(join(tmpdir(), 'vulnscan-pull-'));
    try {
      await skopeoCopy('mirror/alpine:3.10', dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(relay.requests.filter((request) => request.path.startsWith('/v2/mirror/alpine/blobs/'))).toEqual([]);
    expect(await eventsOnceComplete('mirror/alpine', alpineDigest)).toHaveLength(2);
  });

  it('publishes one ManifestComplete when the last two blobs land at the same moment', async () => {
    const layers: TestLayer[] = [await randomLayer(1), await randomLayer(1)];
    const digest = await pushLayers(registry, 'pair/img', '1', layers);
    const paths = layers.map((layer) => `/v2/pair/img/blobs/${sha256(layer.bytes)}`);
    const release = relay.hold((request) => paths.includes(request.path));
    try {
      expect((await get('/v2/pair/img/manifests/1', MANIFEST_ACCEPT)).status).toBe(200);
      await waitFor(async () => paths.every((path) => relay.count(path) === 1), { what: 'both layer downloads to reach upstream' });
      await waitFor(async () => (await blobStates('pair/img', digest)).filter((blob) => blob.placed).length === 1, {
        what: 'the config to be placed',
      });
    } finally {
      release();
    }
    const published = await eventsOnceComplete('pair/img', digest);
    expect(published.map((event) => event.type)).toEqual([CACHED, COMPLETE]);
  });

  it('caches an index with every child manifest, and serves children by digest without asking upstream', async () => {
    const index = await pushMultiArchIndex(registry, 'library/multi:1', [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    const response = await get('/v2/library/multi/manifests/1', MANIFEST_ACCEPT);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json');
    expect(response.headers.get('docker-content-digest')).toBe(index.indexDigest);
    const indexEvents = await events('library/multi', index.indexDigest);
    expect(indexEvents[0]!.payload).toMatchObject({ mediaType: 'application/vnd.oci.image.index.v1+json', complete: false });
    for (const child of index.manifests) {
      const childPath = `/v2/library/multi/manifests/${child.digest}`;
      expect(relay.count(childPath)).toBe(1);
      expect((await events('library/multi', child.digest))[0]!.payload).toMatchObject({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
      });
      const served = await get(childPath, MANIFEST_ACCEPT);
      expect(served.status).toBe(200);
      expect(sha256(Buffer.from(await served.arrayBuffer()))).toBe(child.digest);
      expect(relay.count(childPath)).toBe(1);
    }
    // The children share alpine's layer (placed already); only their configs are downloaded.
    expect((await eventsOnceComplete('library/multi', index.indexDigest)).map((event) => event.type)).toEqual([CACHED, COMPLETE]);
  });

  it('revalidates a tag after its TTL but never a digest; HEAD gives the headers alone', async () => {
    const tagPath = '/v2/library/alpine/manifests/3.10';
    const digestPath = `/v2/library/alpine/manifests/${alpineDigest}`;
    await sleep(2100);
    const before = relay.count(tagPath);
    expect((await get(tagPath, MANIFEST_ACCEPT)).status).toBe(200);
    expect((await get(tagPath, MANIFEST_ACCEPT)).status).toBe(200);
    expect(relay.count(tagPath)).toBe(before + 1);
    const byDigest = relay.count(digestPath);
    const head = await get(digestPath, MANIFEST_ACCEPT, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(alpineDigest);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await head.text()).toBe('');
    expect((await get(digestPath, MANIFEST_ACCEPT)).status).toBe(200);
    expect(relay.count(digestPath)).toBe(byDigest);
    await sleep(2100);
    expect((await get(tagPath, MANIFEST_ACCEPT)).status).toBe(200);
    expect(relay.count(tagPath)).toBe(before + 2);
  });

  it('serves byte ranges of a placed blob', async () => {
    const stored = await Promise.all(
      (await blobStates('library/alpine', alpineDigest)).map(async (blob) => ({ ...blob, bytes: await readFile(storedFile(blob.digest)) })),
    );
    const layer = stored.sort((a, b) => b.bytes.length - a.bytes.length)[0]!;
    const whole = layer.bytes;
    const path = `/v2/library/alpine/blobs/${layer.digest}`;
    const first = await get(path, { Range: 'bytes=0-9' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-9/${whole.length}`);
    expect(Buffer.from(await first.arrayBuffer()).equals(whole.subarray(0, 10))).toBe(true);
    const tail = await get(path, { Range: 'bytes=-5' });
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(whole.length - 5))).toBe(true);
    const outside = await get(path, { Range: `bytes=${whole.length}-` });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${whole.length}`);
  });

  it('chooses the upstream by ?ns= and answers bad requests with OCI errors while staying up', async () => {
    expect((await get(`/v2/tools/only-here/manifests/1?ns=${second.host}`, MANIFEST_ACCEPT)).status).toBe(200);
    expect((await get('/v2/tools/only-here/manifests/1', MANIFEST_ACCEPT)).status).toBe(404);
    const cases: [string, number, string, Record<string, string>?][] = [
      ['/v2/library/alpine/manifests/3.10?ns=unknown.example', 404, 'NAME_UNKNOWN'],
      ['/v2/Library/alpine/manifests/3.10', 400, 'NAME_INVALID'],
      ['/v2/library/alpine/blobs/sha256:1234', 400, 'DIGEST_INVALID'],
      ['/v2/library/alpine/manifests/no-such-tag', 404, 'MANIFEST_UNKNOWN'],
      [`/v2/library/alpine/blobs/${sha256(Buffer.from('never referenced'))}`, 404, 'BLOB_UNKNOWN'],
      ['/v2/library/never/manifests/1', 504, 'MANIFEST_UNKNOWN', ONLY_IF_CACHED],
    ];
    for (const [path, status, code, headers] of cases) {
      const response = await get(path, { ...MANIFEST_ACCEPT, ...headers });
      expect({ path, status: response.status, code: (await errorOf(response)).code }).toEqual({ path, status, code });
    }
    expect(relay.count('/v2/library/never/manifests/1')).toBe(0);
    expect(await errorOf(await get('/v2/x/manifests/1?ns=unknown.example'))).toMatchObject({
      message: expect.stringContaining(registry.host),
    });
    expect((await fetch(`${cache.url}/v2/library/alpine/blobs/uploads/`, { method: 'POST' })).status).toBe(405);

    const stop = relay.answer((request) => request.path === '/v2/library/limited/manifests/1', {
      status: 429,
      headers: { 'Retry-After': '7' },
      body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
    });
    const limited = await get('/v2/library/limited/manifests/1', MANIFEST_ACCEPT);
    stop();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await errorOf(limited)).code).toBe('TOOMANYREQUESTS');
    expect((await get('/health/live')).status).toBe(200);
  });

  it('counts hits, misses, bytes by source and downloads in /metrics', async () => {
    // one request this test knows is a hit: a blob of the completed alpine manifest, from storage
    const [placed] = await blobStates('library/alpine', alpineDigest);
    expect((await get(`/v2/library/alpine/blobs/${placed.digest}`)).status).toBe(200);
    const metrics = await (await get('/metrics')).text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    expect(value('blob_cache_requests_total{kind="blob",result="hit"}')).toBeGreaterThan(0);
    expect(value('blob_cache_requests_total{kind="manifest",result="miss"}')).toBeGreaterThan(0);
    expect(value('blob_cache_served_bytes_total{source="cache"}')).toBeGreaterThan(0);
    expect(value('blob_cache_served_bytes_total{source="upstream"}')).toBeGreaterThan(3 * 1024 * 1024);
    expect(value('blob_cache_downloads_total{outcome="placed"}')).toBeGreaterThan(0);
    expect(value('blob_cache_downloads_in_flight')).toBe(0);
  });

  it('never places a blob whose upstream content does not match its digest, and cuts the client streaming it', async () => {
    const layer = await randomLayer(1);
    const digest = await pushLayers(registry, 'bad/img', '1', [layer]);
    const layerDigest = sha256(layer.bytes);
    badLayerPath = `/v2/bad/img/blobs/${layerDigest}`;
    await corruptBlob(registry, layerDigest);
    expect((await get('/v2/bad/img/manifests/1', MANIFEST_ACCEPT)).status).toBe(200);
    await waitFor(async () => (await blobStates('bad/img', digest)).find((blob) => blob.digest === layerDigest)?.last_error, {
      what: 'the failed download',
    });

    const pulled = await get(badLayerPath);
    await expect(pulled.arrayBuffer()).rejects.toThrow();
    const layerState = (await blobStates('bad/img', digest)).find((blob) => blob.digest === layerDigest)!;
    expect(layerState.placed).toBe(false);
    expect(layerState.last_error).toMatch(/does not match/);
    await expect(stat(storedFile(layerDigest))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await events('bad/img', digest)).map((event) => event.type)).toEqual([CACHED]);
  });

  it('keeps serving what it holds when the upstream is down, and answers 503 naming it for the rest', async () => {
    await relay.stop();
    await sleep(2100); // the tag is stale now: revalidation fails, the cached digest is served
    const dir = await mkdtemp(join(tmpdir(), 'vulnscan-pull-'));
    try {
      await skopeoCopy('library/alpine:3.10', dir);
      expect(sha256(await readFile(join(dir, 'manifest.json')))).toBe(alpineDigest);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const uncached = await get('/v2/library/busybox/manifests/latest', MANIFEST_ACCEPT);
    expect(uncached.status).toBe(503);
    const error = await errorOf(uncached);
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain(`upstream ${registry.host}`);
    const unplaced = await get(badLayerPath);
    expect(unplaced.status).toBe(503);
    expect((await errorOf(unplaced)).message).toContain(`upstream ${registry.host}`);
  });
});
