import { readFileSync } from 'node:fs';
import { TestPlatform } from '../support/platform';

/** A service that cannot work says exactly why at start and stops, rather than limping along. */
describe('start-up checks', () => {
  let platform: TestPlatform;

  beforeAll(() => {
    platform = new TestPlatform();
  });

  afterAll(async () => {
    await platform?.stop();
  });

  async function startAndFail(overrides: Record<string, string>): Promise<string> {
    const service = await platform.start('scan-scheduler', overrides, { waitReady: false });
    expect(await service.exited).toBe(1);
    return readFileSync(service.logFile, 'utf8');
  }

  it('stops on a bad or missing-format variable and names it', async () => {
    const output = await startAndFail({ SCAN_TIMEOUT_PER_IMAGE: 'soon', AMQP_URL: 'http://wrong' });
    expect(output).toContain('SCAN_TIMEOUT_PER_IMAGE');
    expect(output).toContain('AMQP_URL: must be an amqp:// URL');
  });

  it('says which database is unreachable, where, and how to start it', async () => {
    const unreachable = 'postgres://postgres:secret@127.0.0.1:1/vulnscan';
    const output = await startAndFail({ DATABASE_URL: unreachable, DATABASE_MIGRATION_URL: unreachable });
    expect(output).toContain('PostgreSQL is not reachable at postgres://postgres:***@127.0.0.1:1/vulnscan');
    expect(output).toContain('pg_ctlcluster');
    expect(output).not.toContain('secret');
  });

  it('says the broker is unreachable, where, and how to start it', async () => {
    const output = await startAndFail({ AMQP_URL: 'amqp://guest:guest@127.0.0.1:1' });
    expect(output).toMatch(/RabbitMQ .*unreachable|RabbitMQ is not reachable/i);
    expect(output).toContain('127.0.0.1:1');
    expect(output).toContain('rabbitmq-server');
  });
});
