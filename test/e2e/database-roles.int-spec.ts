import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ApiKeyReader, apiKeyHash } from '@vulnscan/gateway-data';
import { UpstreamReader } from '@vulnscan/cache-data';
import { DeadLetters } from '@vulnscan/messaging';
import { RegistryCredentialReader } from '@vulnscan/registry-credentials';
import { SbomReader } from '@vulnscan/sbom-data';
import { BatchReader, previousCompletedScanId, ScanReader, SchedulerStatusReader } from '@vulnscan/scan-data';
import { StatusReader, WebhookReader } from '@vulnscan/status-data';
import { newFindings, reportFacts, ReportReader, VulnDbReader } from '@vulnscan/vulndb-data';
import { ensureRole, scramSha256Verifier, serviceRoleName } from '@vulnscan/persistence';
import { ServiceName, TestPlatform } from '../support/platform';

const SERVICES: ServiceName[] = ['gateway', 'scan-scheduler', 'scanner-worker', 'blob-cache-worker', 'security-status'];
const SCHEMA_OF: Record<ServiceName, string> = {
  gateway: 'gateway',
  'scan-scheduler': 'scheduler',
  'scanner-worker': 'worker',
  'blob-cache-worker': 'cache',
  'security-status': 'status',
};
const SCHEMAS = Object.values(SCHEMA_OF);

/**
 * What each service may read of the others, table by table: the readers of libs/*-data and the
 * gateway's dead-letter list. A grant added without a reader that needs it fails this test too.
 */
const FOREIGN_READS: Record<ServiceName, string[]> = {
  gateway: [
    'cache.dead_letters',
    'cache.upstreams',
    'scheduler.dead_letters',
    'scheduler.scan_attempts',
    'scheduler.scan_batches',
    'scheduler.scans',
    'scheduler.scheduler_instances',
    'scheduler.schedules',
    'status.dead_letters',
    'status.manifest_security_status',
    'status.notifications',
    'status.webhooks',
    'worker.dead_letters',
    'worker.feeds',
    'worker.findings',
    'worker.reports',
    'worker.sboms',
    'worker.vulndb_versions',
  ],
  'scan-scheduler': ['worker.sbom_packages'],
  'scanner-worker': ['scheduler.scans'],
  'blob-cache-worker': ['gateway.api_keys'],
  'security-status': ['scheduler.scans', 'worker.findings', 'worker.reports'],
};

/** Postgres' answer to a statement the role may not run. */
const INSUFFICIENT_PRIVILEGE = '42501';

describe('a database role per service', () => {
  let platform: TestPlatform;
  const clients = new Map<ServiceName, Client>();
  const dataSources = new Map<ServiceName, DataSource>();

  async function asRole(service: ServiceName, sql: string, params: unknown[] = []) {
    return clients.get(service)!.query(sql, params);
  }

  async function refused(service: ServiceName, sql: string, params: unknown[] = []): Promise<string | undefined> {
    try {
      await asRole(service, sql, params);
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  }

  beforeAll(async () => {
    platform = new TestPlatform();
    // All at once, as compose's and Kubernetes' migrations may run: each creates its readers' roles too.
    await Promise.all(SERVICES.map((service) => platform.migrate(service)));
    for (const service of SERVICES) {
      const client = new Client({ connectionString: platform.serviceDatabaseUrl(service) });
      await client.connect();
      clients.set(service, client);
      const dataSource = new DataSource({ type: 'postgres', url: platform.serviceDatabaseUrl(service), extra: { max: 2 } });
      dataSources.set(service, await dataSource.initialize());
    }
  }, 180_000);

  afterAll(async () => {
    for (const client of clients.values()) await client.end().catch(() => undefined);
    for (const dataSource of dataSources.values()) await dataSource.destroy().catch(() => undefined);
    await platform?.stop();
  });

  it("keeps the scanner-worker's role from writing (or reading) gateway.api_keys", async () => {
    const id = randomUUID();
    await platform.query(`INSERT INTO gateway.tenants (id, name) VALUES ('acme', 'acme')`);
    await platform.query(
      `INSERT INTO gateway.api_keys (id, tenant_id, name, key_hash, key_prefix, scopes) VALUES ($1, 'acme', 'ci', $2, 'k', '{admin}')`,
      [id, apiKeyHash('acme-secret-key')],
    );
    const insert = `INSERT INTO gateway.api_keys (id, tenant_id, name, key_hash, key_prefix, scopes)
                    VALUES (gen_random_uuid(), 'acme', 'mine', 'x', 'x', '{platform:admin}')`;
    expect(await refused('scanner-worker', insert)).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await refused('scanner-worker', `UPDATE gateway.api_keys SET scopes = '{platform:admin}'`)).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await refused('scanner-worker', 'UPDATE gateway.api_keys SET revoked_at = NULL WHERE id = $1', [id])).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
    expect(await refused('scanner-worker', 'DELETE FROM gateway.api_keys')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await refused('scanner-worker', 'SELECT key_hash FROM gateway.api_keys')).toBe(INSUFFICIENT_PRIVILEGE);
    // the one service that reads them still does, through its reader, and only reads
    expect(await new ApiKeyReader(dataSources.get('blob-cache-worker')!).verify('acme-secret-key')).toMatchObject({ tenantId: 'acme' });
    expect(await refused('blob-cache-worker', 'DELETE FROM gateway.api_keys')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await platform.query('SELECT id, scopes FROM gateway.api_keys')).toEqual([{ id, scopes: ['admin'] }]);
  });

  it("keeps the gateway's role from writing any of the scheduler's tables", async () => {
    const tables = (
      await platform.query<{ table: string }>(
        `SELECT table_name AS table FROM information_schema.tables WHERE table_schema = 'scheduler' ORDER BY 1`,
      )
    ).map((row) => row.table);
    expect(tables).toEqual(expect.arrayContaining(['scans', 'scan_attempts', 'schedules', 'scan_batches', 'images', 'outbox']));
    for (const table of tables) {
      expect([table, await refused('gateway', `DELETE FROM scheduler.${table}`)]).toEqual([table, INSUFFICIENT_PRIVILEGE]);
      expect([table, await refused('gateway', `INSERT INTO scheduler.${table} DEFAULT VALUES`)]).toEqual([table, INSUFFICIENT_PRIVILEGE]);
    }
    expect(await refused('gateway', `UPDATE scheduler.scans SET status = 'canceled'`)).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await refused('gateway', 'TRUNCATE scheduler.scans')).toBe(INSUFFICIENT_PRIVILEGE);
    expect((await asRole('gateway', 'SELECT count(*)::int AS n FROM scheduler.scans')).rows).toEqual([{ n: 0 }]);
  });

  it("gives every role DML on its own schema's tables, and nothing else anywhere", async () => {
    for (const service of SERVICES) {
      const rows = (
        await platform.query<{ name: string; privileges: string[] }>(
          `SELECT n.nspname || '.' || c.relname AS name,
                array_agg(p ORDER BY p) FILTER (WHERE has_table_privilege($1, c.oid, p)) AS privileges
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           CROSS JOIN unnest(ARRAY['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE']) p
          WHERE n.nspname = ANY($2) AND c.relkind IN ('r', 'v', 'm', 'p')
          GROUP BY 1 ORDER BY 1`,
          [serviceRoleName(service), SCHEMAS],
        )
      ).filter((row) => row.privileges !== null);
      const own = SCHEMA_OF[service];
      const expected = rows.map((row) => {
        if (!row.name.startsWith(`${own}.`)) return { name: row.name, privileges: ['SELECT'] };
        // the migration history is the migration role's: readable, never rewritten at run time
        return { name: row.name, privileges: row.name === `${own}.migrations` ? ['SELECT'] : ['DELETE', 'INSERT', 'SELECT', 'UPDATE'] };
      });
      expect({ service, rows }).toEqual({ service, rows: expected });
      const foreign = rows.filter((row) => !row.name.startsWith(`${own}.`)).map((row) => row.name);
      expect({ service, foreign }).toEqual({ service, foreign: FOREIGN_READS[service] });
      const ownTables = rows.filter((row) => row.name.startsWith(`${own}.`)).length;
      expect(ownTables).toBeGreaterThan(4);
    }
  });

  it('lets no role change the shape of a schema, its own included, or plant objects in public', async () => {
    for (const service of SERVICES) {
      const own = SCHEMA_OF[service];
      expect(await refused(service, `CREATE TABLE ${own}.planted (id int)`)).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await refused(service, `ALTER TABLE ${own}.outbox ADD COLUMN planted int`)).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await refused(service, `DROP TABLE ${own}.inbox`)).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await refused(service, 'CREATE TABLE public.planted (id int)')).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await refused(service, `INSERT INTO ${own}.migrations (timestamp, name) VALUES (1, 'planted')`)).toBe(INSUFFICIENT_PRIVILEGE);
    }
  });

  it('shows the gateway the credentials of the worker without their secret column', async () => {
    await platform.query(
      `INSERT INTO worker.registry_credentials (id, tenant_id, registry, username, secret) VALUES ($1, 'acme', 'ghcr.io', 'me', 'sealed')`,
      [randomUUID()],
    );
    expect(await new RegistryCredentialReader(dataSources.get('gateway')!).list('acme')).toMatchObject([
      { registry: 'ghcr.io', username: 'me' },
    ]);
    expect(await refused('gateway', 'SELECT secret FROM worker.registry_credentials')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await refused('gateway', 'SELECT * FROM worker.registry_credentials')).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("runs every reader a service uses under that service's own role", async () => {
    const gateway = dataSources.get('gateway')!;
    const scanId = randomUUID();
    expect(await new ScanReader(gateway).findOne('acme', scanId)).toBeNull();
    expect((await new ScanReader(gateway).list('acme', { limit: 10 })).items).toEqual([]);
    expect(await new BatchReader(gateway).schedule('acme', randomUUID())).toBeNull();
    expect(await new BatchReader(gateway).batch('acme', randomUUID())).toBeUndefined();
    const status = new SchedulerStatusReader(gateway);
    expect(await status.totals({ allTenants: true })).toMatchObject({ completed: 0, failed: 0 });
    expect(await status.backlog({ tenantId: 'acme' })).toMatchObject({ queued: 0 });
    expect(await status.scheduleRuns({ tenantId: 'acme' })).toBeDefined();
    expect((await status.liveness()).instances).toBe(0);
    expect(await new SbomReader(gateway).latest(`sha256:${'a'.repeat(64)}`)).toBeNull();
    expect(await new ReportReader(gateway).forScan('acme', scanId)).toBeUndefined();
    expect(await new VulnDbReader(gateway).feeds()).toEqual([]);
    expect(await new VulnDbReader(gateway).currentVersion()).toBeUndefined();
    expect(await new UpstreamReader(gateway).list('acme')).toEqual([]);
    expect((await new StatusReader(gateway).list('acme', { limit: 10 })).items).toEqual([]);
    expect(await new WebhookReader(gateway).list('acme')).toEqual([]);
    expect((await DeadLetters.readAll(gateway, SCHEMAS, { limit: 10 })).items).toEqual([]);
    // the dead-letter list finds every schema's table through information_schema, which shows only granted ones
    const deadLetterSchemas = await gateway.query(
      `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'dead_letters' ORDER BY 1`,
    );
    expect(deadLetterSchemas.map((row: { schema: string }) => row.schema)).toEqual([...SCHEMAS].sort());

    expect(await new SbomReader(dataSources.get('scan-scheduler')!).manifestsContaining([{ ecosystem: 'npm', name: 'left-pad' }])).toEqual(
      [],
    );
    expect(await new ScanReader(dataSources.get('scanner-worker')!).findOne('acme', scanId)).toBeNull();
    const securityStatus = dataSources.get('security-status')!;
    expect(await previousCompletedScanId(securityStatus, 'acme', scanId)).toBeUndefined();
    expect(await reportFacts(securityStatus, 'acme', scanId)).toBeNull();
    expect(await newFindings(securityStatus, randomUUID(), null, 10)).toEqual({ items: [], total: 0 });
  });

  it('sets a password as a SCRAM verifier Postgres keeps as it is, never as the password itself', async () => {
    const role = `vulnscan_test_${platform.id}`;
    const admin = new Client({ connectionString: platform.databaseUrl });
    await admin.connect();
    try {
      await ensureRole(admin, role, 'a-long-database-password');
      await ensureRole(admin, role); // again, as every migration run does: no error, password kept
      const [stored] = await platform.query<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role]);
      expect(stored.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
      expect(stored.rolpassword).not.toContain('a-long-database-password');
      // a verifier of ours is stored verbatim (one Postgres did not recognise would have been hashed as a password)
      const verifier = scramSha256Verifier('another-password')!;
      await admin.query(`ALTER ROLE ${role} PASSWORD '${verifier}'`);
      expect(await platform.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role])).toEqual([{ rolpassword: verifier }]);
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await admin.end();
    }
  });

  it('takes back a privilege granted by hand at the next migration, and keeps the data', async () => {
    await platform.query('GRANT INSERT, UPDATE ON gateway.api_keys TO vulnscan_scanner_worker');
    await platform.query('GRANT USAGE ON SCHEMA gateway TO vulnscan_scanner_worker');
    expect(await refused('scanner-worker', `UPDATE gateway.api_keys SET revoked_at = NULL WHERE false`)).toBeUndefined();
    await platform.migrate('gateway');
    expect(await refused('scanner-worker', `UPDATE gateway.api_keys SET revoked_at = NULL WHERE false`)).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await platform.query('SELECT count(*)::int AS n FROM gateway.api_keys')).toEqual([{ n: 1 }]);
    expect(await new ApiKeyReader(dataSources.get('blob-cache-worker')!).verify('acme-secret-key')).toMatchObject({ tenantId: 'acme' });
  });
});
