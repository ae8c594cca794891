import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Outbox, resolveMessagingOptions } from '@vulnscan/messaging';
import { runServiceMigrations } from '@vulnscan/persistence';
import { dataSourceOptionsFor } from '@vulnscan/service-runtime';
import { ManifestCompletion } from '../completion/manifest-completion';
import { BlobCacheEnv } from '../env';
import type { ContentRef } from '../manifests/manifest-document';
import { ManifestStore, UpstreamKey } from '../manifests/manifest-store';
import { cacheService } from '../service';
import { BlobAccess } from './blob-access';
import { BlobEviction } from './blob-eviction.service';
import type { BlobFlights } from './blob-flights.service';
import { BlobPlacement } from './blob-placement';
import { FsBlobStore } from './fs-blob-store';

const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const CONFIGURED: UpstreamKey = { name: 'registry.test', scope: '', tenantId: 'default', blobSource: 'config:registry.test' };
const HOSTILE: UpstreamKey = { name: 'evil.test', scope: 'evil', tenantId: 'team-b', blobSource: 'f00d0000-0000-4000-8000-00000000000e' };
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * BlobEviction's choices against a real Postgres with the real migrations and a real
 * filesystem store: least recently used first, never a blob an incomplete manifest needs and its
 * source proved, never one this process is sending; a manifest whose source never proved a blob
 * does not pin it; an evicted blob is queued again by the next manifest naming it.
 */
describe('blob eviction against Postgres and the filesystem store', () => {
  const database = `vulnscan_cache_evict_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let storeDir: string;
  let store: FsBlobStore;
  let manifests: ManifestStore;
  let placement: BlobPlacement;
  let access: BlobAccess;
  let completion: ManifestCompletion;
  let eviction: BlobEviction;

  beforeAll(async () => {
    const env = Object.assign(new BlobCacheEnv(), {
      DATABASE_URL: `${SERVER}/${database}`,
      DATABASE_POOL_SIZE: 5,
      CACHE_MAX_BYTES: 150,
      CACHE_EVICTION_GRACE_SECONDS: 0,
    });
    const options = dataSourceOptionsFor(cacheService, env);
    await runServiceMigrations(options);
    dataSource = await new DataSource(options).initialize();
    const outbox = new Outbox(
      resolveMessagingOptions({
        service: cacheService.name,
        schema: cacheService.schema,
        amqpUrl: 'amqp://unused',
        databaseUrl: env.DATABASE_URL,
      }),
    );
    storeDir = await mkdtemp(join(tmpdir(), 'vulnscan-eviction-'));
    store = new FsBlobStore(storeDir);
    await store.init();
    manifests = new ManifestStore(dataSource, outbox);
    placement = new BlobPlacement(dataSource, outbox);
    access = new BlobAccess(dataSource);
    completion = new ManifestCompletion(outbox);
    // Nothing downloads in this test: no flight holds a blob.
    const flights = { downloading: () => false } as unknown as BlobFlights;
    eviction = new BlobEviction(dataSource, env, store, access, flights);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    if (storeDir) await rm(storeDir, { recursive: true, force: true });
    const admin = new Client({ connectionString: `${SERVER}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  async function manifest(upstream: UpstreamKey, repository: string, blobs: ContentRef[]): Promise<void> {
    const bytes = Buffer.from(JSON.stringify({ repository, blobs }));
    const document = { kind: 'image' as const, mediaType: 'application/vnd.oci.image.manifest.v1+json', blobs, children: [] };
    await manifests.save(upstream, repository, [{ digest: sha256(bytes), bytes, document, blobs }]);
  }

  /** A 100-byte blob in the store (recorded once placed). */
  async function storedBlob(): Promise<ContentRef> {
    const bytes = randomBytes(100);
    const blob = { digest: sha256(bytes), size: bytes.length, mediaType: LAYER };
    const spool = await store.openSpool();
    await spool.handle.write(bytes, 0, bytes.length, 0);
    await store.put(blob.digest, spool);
    await spool.handle.close();
    return blob;
  }
  const touchedAgo = (blob: ContentRef, seconds: number) =>
    dataSource.query(`UPDATE cache.stored_blobs SET last_access_at = now() - make_interval(secs => $2) WHERE digest = $1`, [
      blob.digest,
      seconds,
    ]);
  const state = async (blob: ContentRef) =>
    (
      (await dataSource.query(`SELECT state FROM cache.cached_blobs WHERE source = $1 AND digest = $2`, [
        CONFIGURED.blobSource,
        blob.digest,
      ])) as { state: string }[]
    )[0]?.state;

  it('evicts the least recently used blobs down to the limit, skipping pinned and served ones', async () => {
    const [pinned, served, oldest, claimed, newest, pending] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => storedBlob()));
    await manifest(CONFIGURED, 'waits', [pinned!, pending!]); // incomplete: `pending` never arrives
    await manifest(CONFIGURED, 'done', [served!, oldest!, claimed!, newest!]);
    // Another source names `claimed` without ever proving it: that does not pin it.
    await manifest(HOSTILE, 'claims', [claimed!]);
    for (const blob of [pinned!, served!, oldest!, claimed!, newest!]) {
      await placement.place({ source: CONFIGURED.blobSource, digest: blob.digest, size: blob.size });
      // What the BlobDownloaded consumer runs next: `done` completes, `waits` does not.
      await dataSource.transaction((manager) => completion.afterPlacement(manager, blob.digest));
    }
    await touchedAgo(pinned!, 500);
    await touchedAgo(served!, 400);
    await touchedAgo(oldest!, 300);
    await touchedAgo(claimed!, 200);
    await touchedAgo(newest!, 100);
    const reading = access.track(served!.digest, store.read(served!.digest));

    // 500 bytes stored, 150 allowed: `pinned` and `served` must stay, so `oldest`, `claimed` and `newest` go.
    expect(await eviction.evict()).toBe(50);
    const left = (await dataSource.query(`SELECT digest FROM cache.stored_blobs ORDER BY digest`)) as { digest: string }[];
    expect(left.map((row) => row.digest)).toEqual([pinned!.digest, served!.digest].sort());
    expect(await store.stat(oldest!.digest)).toBeUndefined();
    expect(await store.stat(pinned!.digest)).toEqual({ size: 100 });
    expect([await state(oldest!), await state(claimed!), await state(pinned!)]).toEqual(['evicted', 'evicted', 'placed']);
    reading.destroy();

    // The next manifest naming an evicted blob queues it again.
    await manifest(CONFIGURED, 'again', [oldest!]);
    expect(await state(oldest!)).toBe('pending');
  });
});
