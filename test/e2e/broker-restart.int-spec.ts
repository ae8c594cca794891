import { join } from 'node:path';
import { fixturesDir, pushImage, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, waitForScan } from '../support/api';
import { TestPlatform, waitFor } from '../support/platform';
import { RabbitNode } from '../support/rabbit-node';
import { SlowLink, startSlowLink } from '../support/slow-link';

/** A RabbitMQ node this test owns is restarted while scans are in flight. */
describe('broker restart', () => {
  let registry: TestRegistry;
  let slow: SlowLink;
  let rabbit: RabbitNode;
  let platform: TestPlatform;
  let api: Api;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:3.10');
    const [host, port] = registry.host.split(':');
    slow = await startSlowLink({ host, port: Number(port) }, 1_500_000);
    rabbit = await RabbitNode.create();
    platform = new TestPlatform({ INSECURE_REGISTRIES: `${registry.host},${slow.host}`, SCAN_CONCURRENCY: '4' }, undefined, rabbit.url);
    await Promise.all([platform.start('scan-scheduler'), platform.start('scanner-worker'), platform.start('scanner-worker')]);
    api = new Api((await platform.start('gateway')).url);
  });

  afterAll(async () => {
    await platform?.stop();
    await rabbit?.destroy();
    await slow?.stop();
    await registry?.stop();
  });

  it('every scan in flight reaches exactly one terminal state; no event is lost or applied twice', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const created = await api.post<{ scan_id: string }>('/api/v1/scans', {
        image: `${slow.host}/library/alpine:3.10`,
        force_rescan: true,
      });
      expect(created.status).toBe(202);
      ids.push(created.body.scan_id);
    }
    await waitFor(
      async () => {
        const rows = await platform.query(`SELECT id FROM scheduler.scans WHERE status = 'running'`);
        return rows.length > 0;
      },
      { what: 'scans running' },
    );
    const inFlight = await platform.query(`SELECT id FROM scheduler.scans WHERE status IN ('queued', 'running')`);
    expect(inFlight.length).toBeGreaterThan(0);
    await rabbit.stop();
    await new Promise((r) => setTimeout(r, 2000));
    await rabbit.start();

    const scans = await Promise.all(ids.map((id) => waitForScan(api, id, 120000)));
    expect(scans.map((scan) => scan.status)).toEqual(ids.map(() => 'completed'));
    const terminal = await platform.query<{ scan_id: string; n: number }>(
      `SELECT envelope->'payload'->>'scanId' AS scan_id, count(*)::int AS n FROM scheduler.outbox
       WHERE type IN ('scan.completed.v1', 'scan.failed.v1', 'scan.canceled.v1') AND envelope->'payload'->>'scanId' = ANY($1)
       GROUP BY 1`,
      [ids],
    );
    expect(terminal).toHaveLength(ids.length);
    expect(terminal.every((row) => row.n === 1)).toBe(true);
    const unpublished = await waitFor(
      async () => {
        const rows = await platform.query<{ n: number }>(`SELECT count(*)::int AS n FROM scheduler.outbox WHERE published_at IS NULL`);
        return rows[0].n === 0 ? rows : undefined;
      },
      { what: 'the outbox to drain' },
    );
    expect(unpublished[0].n).toBe(0);
  });
});
