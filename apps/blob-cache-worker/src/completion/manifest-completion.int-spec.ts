import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CacheReader } from '@vulnscan/cache-data';
import { Outbox, resolveMessagingOptions } from '@vulnscan/messaging';
import { runServiceMigrations } from '@vulnscan/persistence';
import { dataSourceOptionsFor } from '@vulnscan/service-runtime';
import { BlobPlacement } from '../blobs/blob-placement';
import { BlobCacheEnv } from '../env';
import type { ContentRef } from '../manifests/manifest-document';
import { ManifestStore } from '../manifests/manifest-store';
import { cacheService } from '../service';
import { ManifestCompletion } from './manifest-completion';

const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const UPSTREAM = 'registry.test';
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const CONFIGURED = { name: UPSTREAM, scope: '', tenantId: 'default', blobSource: `config:${UPSTREAM}` };
const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const blob = (): ContentRef => ({ digest: digestOf(randomBytes(16).toString('hex')), size: 100, mediaType: LAYER });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SOURCE = `config:${UPSTREAM}`;
/** The configured upstream's proof of a blob, as a finished download records it. */
const proven = (blob: ContentRef, source = SOURCE) => ({ source, digest: blob.digest, size: blob.size });

/**
 * The completion rules of the cache's own code against a real Postgres with the real migrations:
 * the blob placements, manifest stores and completion checks the service runs, forced into the
 * interleavings that could publish ManifestComplete twice or never.
 */
describe('manifest completion against Postgres', () => {
  const database = `vulnscan_cache_it_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let placement: BlobPlacement;
  let completion: ManifestCompletion;
  let manifests: ManifestStore;
  let reader: CacheReader;

  beforeAll(async () => {
    const env = Object.assign(new BlobCacheEnv(), { DATABASE_URL: `${SERVER}/${database}`, DATABASE_POOL_SIZE: 10 });
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
    placement = new BlobPlacement(dataSource, outbox);
    completion = new ManifestCompletion(outbox);
    manifests = new ManifestStore(dataSource, outbox);
    reader = new CacheReader(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    const admin = new Client({ connectionString: `${SERVER}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  /** Stores an image manifest naming `blobs` for `repository`, as a pull would. */
  async function pull(repository: string, blobs: ContentRef[], upstream = CONFIGURED): Promise<string> {
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, repository, layers: blobs }));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const document = { kind: 'image' as const, mediaType: 'application/vnd.oci.image.manifest.v1+json', blobs, children: [] };
    await manifests.save(upstream, repository, [{ digest, bytes, document, blobs }]);
    return digest;
  }

  /** What the BlobDownloaded consumer runs after a placement committed. */
  const check = (digest: string) => dataSource.transaction((manager) => completion.afterPlacement(manager, digest));

  async function published(type: string, repository: string, digest: string): Promise<Record<string, unknown>[]> {
    const rows = (await dataSource.query(
      `SELECT envelope->'payload' AS payload FROM cache.outbox
       WHERE type = $1 AND envelope->'payload'->>'repository' = $2 AND envelope->'payload'->>'digest' = $3`,
      [type, repository, digest],
    )) as { payload: Record<string, unknown> }[];
    return rows.map((row) => row.payload);
  }

  it('publishes ManifestComplete once when two checks both find the last two blobs placed', async () => {
    const [a, b, c] = [blob(), blob(), blob()];
    const digest = await pull('race/both-see', [a, b, c]);
    expect(await published('manifest.cached.v1', 'race/both-see', digest)).toEqual([
      { upstream: UPSTREAM, repository: 'race/both-see', digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', complete: false },
    ]);
    await placement.place(proven(c));
    expect(await check(c.digest)).toBe(0);
    await Promise.all([placement.place(proven(a)), placement.place(proven(b))]);

    // Check A completes the manifest but has not committed when check B looks: B sees it as a
    // candidate too, and its gated update waits for A's commit, then finds nothing to update.
    let firstDone!: () => void;
    const firstUpdated = new Promise<void>((resolve) => (firstDone = resolve));
    const first = dataSource.transaction(async (manager) => {
      const completed = await completion.afterPlacement(manager, a.digest);
      firstDone();
      await sleep(300);
      return completed;
    });
    await firstUpdated;
    const second = check(b.digest);
    expect((await Promise.all([first, second])).sort()).toEqual([0, 1]);
    expect(await published('manifest.complete.v1', 'race/both-see', digest)).toEqual([
      { upstream: UPSTREAM, repository: 'race/both-see', digest, completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) },
    ]);
  });

  it('completes the manifest in the check of whichever of the last two placements commits later', async () => {
    const [a, b] = [blob(), blob()];
    const digest = await pull('race/one-by-one', [a, b]);
    expect(await reader.manifestStatus(UPSTREAM, 'race/one-by-one', digest)).toEqual({ known: true, complete: false, pendingBlobs: 2 });
    await placement.place(proven(a));
    expect(await check(a.digest)).toBe(0);
    expect(await reader.manifestStatus(UPSTREAM, 'race/one-by-one', digest)).toEqual({ known: true, complete: false, pendingBlobs: 1 });
    await placement.place(proven(b));
    expect(await check(b.digest)).toBe(1);
    expect(await reader.manifestStatus(UPSTREAM, 'race/one-by-one', digest)).toEqual({ known: true, complete: true, pendingBlobs: 0 });
    expect(await reader.manifestStatus(UPSTREAM, 'race/elsewhere', digest)).toEqual({ known: false, complete: false, pendingBlobs: 0 });
    expect(await check(b.digest)).toBe(0); // a redelivered BlobDownloaded changes nothing
    expect(await published('manifest.complete.v1', 'race/one-by-one', digest)).toHaveLength(1);
  });

  it('publishes exactly one ManifestComplete per manifest when the last blobs land concurrently, over many rounds', async () => {
    for (let round = 0; round < 15; round++) {
      const blobs = [blob(), blob(), blob()];
      const repository = `race/round-${round}`;
      const digest = await pull(repository, blobs);
      await Promise.all(blobs.map(async (each) => (await placement.place(proven(each))) && check(each.digest)));
      expect(await published('manifest.complete.v1', repository, digest)).toHaveLength(1);
    }
  });

  it('completes a manifest exactly once when its last blob is placed while the manifest is being stored', async () => {
    for (let round = 0; round < 15; round++) {
      const [shared, pending] = [blob(), blob()];
      await pull(`store/first-${round}`, [shared, pending]); // creates both placeholders
      await placement.place(proven(shared));
      const repository = `store/second-${round}`;
      const [digest] = await Promise.all([
        pull(repository, [shared, pending]),
        (async () => {
          await sleep(round % 3); // vary which transaction locks the blob row first
          if (await placement.place(proven(pending))) await check(pending.digest);
        })(),
      ]);
      const complete = await published('manifest.complete.v1', repository, digest);
      const cached = await published('manifest.cached.v1', repository, digest);
      expect(complete).toHaveLength(1);
      expect(cached).toHaveLength(1);
    }
  });

  it('completes a manifest whose blobs are all placed already in the transaction that stores it', async () => {
    const blobs = [blob(), blob()];
    await pull('placed/first', blobs);
    for (const each of blobs) await placement.place(proven(each));
    const digest = await pull('placed/second', blobs);
    expect(await published('manifest.cached.v1', 'placed/second', digest)).toEqual([expect.objectContaining({ complete: true })]);
    expect(await published('manifest.complete.v1', 'placed/second', digest)).toHaveLength(1);
    expect(await placement.place(proven(blobs[0]!))).toBe(false); // placing again publishes nothing
  });

  it("completes another source's manifest only once that source proved the blob; a wrong-size claim stays its own", async () => {
    const tenantUpstream = {
      name: UPSTREAM,
      scope: 'f00d0000-0000-4000-8000-000000000001',
      tenantId: 'team-b',
      blobSource: 'f00d0000-0000-4000-8000-000000000001',
    };
    const layer = blob();
    await pull('sources/public', [layer]);
    // Another source names the same digest with a wrong size first: its own placeholder, not the public one's.
    await pull('sources/hostile', [{ ...layer, size: layer.size + 1 }], tenantUpstream);
    // ... and the right size: stored already through the configured upstream, but not proven by this one.
    const claimed = await pull('sources/claimed', [layer], tenantUpstream);
    expect(await placement.place(proven(layer))).toBe(true);
    expect(await check(layer.digest)).toBe(1); // the configured manifest only
    expect(await published('manifest.complete.v1', 'sources/claimed', claimed)).toEqual([]);
    const rows = await dataSource.query(
      `SELECT source, size::int AS size, state FROM cache.cached_blobs WHERE digest = $1 ORDER BY source, size`,
      [layer.digest],
    );
    expect(rows).toEqual([
      { source: SOURCE, size: 100, state: 'placed' },
      { source: tenantUpstream.blobSource, size: 100, state: 'pending' },
      { source: tenantUpstream.blobSource, size: 101, state: 'pending' },
    ]);
    // Once the tenant's upstream delivered it, that source's manifest completes.
    expect(await placement.place(proven(layer, tenantUpstream.blobSource))).toBe(true);
    expect(await check(layer.digest)).toBe(1);
    expect(await published('manifest.complete.v1', 'sources/claimed', claimed)).toHaveLength(1);
  });
});
