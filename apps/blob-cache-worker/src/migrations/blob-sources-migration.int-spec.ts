import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runServiceMigrations } from '@vulnscan/persistence';
import { dataSourceOptionsFor } from '@vulnscan/service-runtime';
import { BlobCacheEnv } from '../env';
import { cacheService } from '../service';

const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const TENANT_UPSTREAM = '0190a000-0000-7000-8000-000000000001';
const digest = (char: string) => `sha256:${char.repeat(64)}`;

/**
 * CacheBlobSources on a cache that holds content: blobs become per source (a configured
 * upstream keeps its placements, a tenant's upstream proves them again), manifest links carry
 * the size, and storage is accounted for eviction.
 */
describe('migration CacheBlobSources against Postgres', () => {
  const database = `vulnscan_cache_mig_${randomBytes(4).toString('hex')}`;
  const env = Object.assign(new BlobCacheEnv(), { DATABASE_URL: `${SERVER}/${database}`, DATABASE_POOL_SIZE: 2 });
  let client: Client;

  beforeAll(async () => {
    const before = { ...cacheService, migrations: cacheService.migrations.slice(0, 2) };
    await runServiceMigrations(dataSourceOptionsFor(before, env));
    client = new Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    await client.query(`
      INSERT INTO cache.cached_blobs (digest, size, media_type, state, placed_at) VALUES
        ('${digest('a')}', 10, 'layer', 'placed', now()), ('${digest('b')}', 20, 'layer', 'pending', NULL);
      INSERT INTO cache.cached_manifests (id, scope, tenant_id, upstream, repository, digest, media_type, size, content) VALUES
        ('00000000-0000-4000-8000-00000000000a', '', 'default', 'docker.io', 'library/x', '${digest('c')}', 'm', 1, '\\x00'),
        ('00000000-0000-4000-8000-00000000000b', '${TENANT_UPSTREAM}', 'team-a', 'ghcr.io', 'org/x', '${digest('c')}', 'm', 1, '\\x00');
      INSERT INTO cache.manifest_blobs (manifest_id, digest) VALUES
        ('00000000-0000-4000-8000-00000000000a', '${digest('a')}'), ('00000000-0000-4000-8000-00000000000a', '${digest('b')}'),
        ('00000000-0000-4000-8000-00000000000b', '${digest('a')}');`);
    await runServiceMigrations(dataSourceOptionsFor(cacheService, env));
  });

  afterAll(async () => {
    await client?.end();
    const admin = new Client({ connectionString: `${SERVER}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('keeps configured placements, queues tenant upstreams to prove theirs, and accounts for storage', async () => {
    const blobs = await client.query(`SELECT source, digest, size::int, state FROM cache.cached_blobs ORDER BY source, digest`);
    expect(blobs.rows).toEqual([
      { source: TENANT_UPSTREAM, digest: digest('a'), size: 10, state: 'pending' },
      { source: 'config:docker.io', digest: digest('a'), size: 10, state: 'placed' },
      { source: 'config:docker.io', digest: digest('b'), size: 20, state: 'pending' },
    ]);
    const manifests = await client.query(`SELECT scope, blob_source FROM cache.cached_manifests ORDER BY scope`);
    expect(manifests.rows).toEqual([
      { scope: '', blob_source: 'config:docker.io' },
      { scope: TENANT_UPSTREAM, blob_source: TENANT_UPSTREAM },
    ]);
    expect((await client.query(`SELECT digest, size::int FROM cache.manifest_blobs ORDER BY manifest_id, digest`)).rows).toEqual([
      { digest: digest('a'), size: 10 },
      { digest: digest('b'), size: 20 },
      { digest: digest('a'), size: 10 },
    ]);
    expect((await client.query(`SELECT digest, size::int FROM cache.stored_blobs`)).rows).toEqual([{ digest: digest('a'), size: 10 }]);
  });
});
