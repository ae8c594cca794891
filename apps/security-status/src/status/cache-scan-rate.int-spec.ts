import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Outbox, resolveMessagingOptions } from '@vulnscan/messaging';
import { runServiceMigrations } from '@vulnscan/persistence';
import { dataSourceOptionsFor } from '@vulnscan/service-runtime';
import { SecurityStatusEnv } from '../env';
import { statusService } from '../service';
import { CacheScanRate, RATE_LIMITED } from './cache-scan-rate';
import { EarlyScanStates } from './early-scan-states';
import { SecurityStatusService } from './security-status.service';

const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const IMAGE = 'application/vnd.oci.image.manifest.v1+json';
const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/**
 * CACHE_SCAN_RATE_PER_MINUTE with the service's own code against a real Postgres with the real
 * migrations: ManifestCached events of one tenant past its rate wait as `queued`/`rate_limited`
 * (nothing published for them), other tenants are not affected, and the retry run requests
 * them once their minute is over.
 */
describe('cache-triggered scans per tenant rate against Postgres', () => {
  const database = `vulnscan_status_it_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let statuses: SecurityStatusService;

  beforeAll(async () => {
    const env = Object.assign(new SecurityStatusEnv(), {
      DATABASE_URL: `${SERVER}/${database}`,
      DATABASE_POOL_SIZE: 5,
      CACHE_SCAN_RATE_PER_MINUTE: 2,
    });
    const options = dataSourceOptionsFor(statusService, env);
    await runServiceMigrations(options);
    dataSource = await new DataSource(options).initialize();
    const outbox = new Outbox(
      resolveMessagingOptions({
        service: statusService.name,
        schema: statusService.schema,
        amqpUrl: 'amqp://unused',
        databaseUrl: env.DATABASE_URL,
      }),
    );
    statuses = new SecurityStatusService(outbox, env, new EarlyScanStates(), new CacheScanRate(env));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    const admin = new Client({ connectionString: `${SERVER}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  const cached = (tenantId: string, repository: string) =>
    dataSource.transaction((manager) =>
      statuses.manifestCached(manager, tenantId, { upstream: 'docker.io', repository, digest: digestOf(repository), mediaType: IMAGE }),
    );
  const requested = async (tenantId: string) =>
    (
      await dataSource.query(
        `SELECT envelope->'payload'->>'image' AS image FROM status.outbox WHERE type = 'scan.requested.v1' AND envelope->>'tenantId' = $1 ORDER BY id`,
        [tenantId],
      )
    ).map((row: { image: string }) => row.image);
  const statusOf = async (tenantId: string, repository: string) =>
    (
      await dataSource.query(
        `SELECT status, reason, message, attempts, request_id IS NOT NULL AS requested, retry_at > now() AS waits
         FROM status.manifest_security_status WHERE tenant_id = $1 AND repository = $2`,
        [tenantId, repository],
      )
    )[0];

  it('requests the first scans of the minute, defers the rest with the reason, and leaves other tenants alone', async () => {
    // The rate counts per calendar minute: start well inside one, so the events below share it.
    const second = new Date().getSeconds();
    if (second >= 55) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000));
    for (const repository of ['flood/a', 'flood/b', 'flood/c', 'flood/d']) await cached('team-a', repository);
    await cached('team-b', 'quiet/a');
    expect(await requested('team-a')).toEqual([`docker.io/flood/a@${digestOf('flood/a')}`, `docker.io/flood/b@${digestOf('flood/b')}`]);
    expect(await requested('team-b')).toEqual([`docker.io/quiet/a@${digestOf('quiet/a')}`]);
    expect(await statusOf('team-a', 'flood/c')).toEqual({
      status: 'queued',
      reason: RATE_LIMITED,
      message: expect.stringContaining('limited to 2 per minute (CACHE_SCAN_RATE_PER_MINUTE)'),
      attempts: 0,
      requested: false,
      waits: true,
    });
    expect(await statusOf('team-a', 'flood/a')).toMatchObject({ status: 'queued', reason: null, attempts: 1, requested: true });
  });

  it("requests deferred scans once their minute is over, within the next minute's rate", async () => {
    // The next minute, as far as the counters and the retry times know.
    await dataSource.query(`UPDATE status.cache_scan_rates SET window_start = window_start - interval '1 minute'`);
    await dataSource.query(`UPDATE status.manifest_security_status SET retry_at = now() - interval '1 second' WHERE reason = $1`, [
      RATE_LIMITED,
    ]);
    expect(await dataSource.transaction((manager) => statuses.retryDue(manager, 100))).toBe(2);
    expect(await requested('team-a')).toHaveLength(4);
    expect(await statusOf('team-a', 'flood/d')).toMatchObject({
      status: 'queued',
      reason: null,
      message: null,
      attempts: 1,
      requested: true,
    });
  });
});
