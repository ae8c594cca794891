import { BaseEnv } from '@vulnscan/config';
import { confinementWarning, migrationOptionsFor, schemaAccessFor } from './service-access';

const scheduler = {
  name: 'scan-scheduler' as const,
  schema: 'scheduler',
  entities: [],
  migrations: [],
  readableBy: { gateway: ['scans', 'schedules'], 'scanner-worker': ['scans'] },
};

function env(values: Partial<BaseEnv>): BaseEnv {
  return Object.assign(new BaseEnv(), values);
}

describe('a service database access', () => {
  it("grants its readers' roles their tables and the gateway every dead-letter table", () => {
    expect(schemaAccessFor(scheduler, env({})).readers).toEqual({
      vulnscan_gateway: ['dead_letters', 'scans', 'schedules'],
      vulnscan_scanner_worker: ['scans'],
    });
  });

  it('sets the password of DATABASE_URL on the role only when the URL names that role', () => {
    const own = env({ DATABASE_URL: 'postgres://vulnscan_scan_scheduler:s3cr%40t@db:5432/vulnscan' });
    expect(schemaAccessFor(scheduler, own)).toMatchObject({ role: 'vulnscan_scan_scheduler', password: 's3cr@t' });
    const legacy = env({ DATABASE_URL: 'postgres://vulnscan:pw@db:5432/vulnscan' });
    expect(schemaAccessFor(scheduler, legacy).password).toBeUndefined();
  });

  it('migrates over DATABASE_MIGRATION_URL and refuses to migrate as the service role', () => {
    const split = env({
      DATABASE_URL: 'postgres://vulnscan_scan_scheduler@db/vulnscan',
      DATABASE_MIGRATION_URL: 'postgres://postgres@db/vulnscan',
    });
    expect(migrationOptionsFor(scheduler, split)).toMatchObject({ url: 'postgres://postgres@db/vulnscan', schema: 'scheduler' });
    const own = env({ DATABASE_URL: 'postgres://vulnscan_scan_scheduler@db/vulnscan' });
    expect(() => migrationOptionsFor(scheduler, own)).toThrow(/DATABASE_MIGRATION_URL/);
  });

  it('warns when the service runs as any role but its own', () => {
    expect(confinementWarning(scheduler, env({ DATABASE_URL: 'postgres://vulnscan_scan_scheduler@db/vulnscan' }))).toBeUndefined();
    expect(confinementWarning(scheduler, env({ DATABASE_URL: 'postgres://postgres:pw@db/vulnscan' }))).toBe(
      'DATABASE_URL (postgres://postgres:***@db/vulnscan) connects as postgres, not as vulnscan_scan_scheduler: ' +
        'this service can write what that role can; give it its own role (see "Database roles" in the README).',
    );
  });
});
