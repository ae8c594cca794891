import { connect as amqpConnect } from 'amqplib';
import { join } from 'node:path';
import { fixturesDir, pushImage, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, ScanView, waitForScan } from '../support/api';
import { ServiceProcess, TestPlatform, waitFor } from '../support/platform';
import { SlowLink, startSlowLink } from '../support/slow-link';

/** Crashes, kills and poison messages: every scan still ends in exactly one terminal state. */
describe('reliability', () => {
  let registry: TestRegistry;
  let slow: SlowLink;
  let platform: TestPlatform;
  let scheduler: ServiceProcess;
  let api: Api;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:3.10');
    const [host, port] = registry.host.split(':');
    // ~2.9 MB layer at 400 kB/s: about seven seconds of download to act in
    slow = await startSlowLink({ host, port: Number(port) }, 400_000);
    platform = new TestPlatform({ INSECURE_REGISTRIES: `${registry.host},${slow.host}` });
    scheduler = await platform.start('scan-scheduler');
    api = new Api((await platform.start('gateway')).url);
  });

  afterAll(async () => {
    await platform?.stop();
    await slow?.stop();
    await registry?.stop();
  });

  async function terminalEvents(scanId: string): Promise<string[]> {
    const rows = await platform.query<{ type: string }>(
      `SELECT type FROM scheduler.outbox WHERE envelope->'payload'->>'scanId' = $1
         AND type IN ('scan.completed.v1', 'scan.failed.v1', 'scan.canceled.v1')`,
      [scanId],
    );
    return rows.map((row) => row.type);
  }

  it('a worker killed with SIGKILL mid-scan: the job is redelivered and the scan completes once', async () => {
    const first = await platform.start('scanner-worker');
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image: `${slow.host}/library/alpine:3.10` });
    await waitFor(
      async () => {
        const scan = (await api.get<ScanView>(`/api/v1/scans/${created.body.scan_id}`)).body;
        return scan.status === 'running' && scan.progress >= 10;
      },
      { what: 'the scan to be downloading its layer' },
    );
    await first.stop('SIGKILL');
    await platform.start('scanner-worker');
    const scan = await waitForScan(api, created.body.scan_id, 90000);
    expect(scan.status).toBe('completed');
    expect(scan.attempts).toBe(1); // the same attempt, redelivered by the broker
    expect(await terminalEvents(created.body.scan_id)).toEqual(['scan.completed.v1']);
  });

  /**
   * These tests need a scan that really downloads its layer; an SBOM stored by an earlier test
   * would let the scan reuse it and skip the download, so they start from content never analyzed.
   */
  async function forgetSboms(): Promise<void> {
    // Reports refer to their SBOM; they go first.
    await platform.query('DELETE FROM worker.reports');
    await platform.query('DELETE FROM worker.sboms');
  }

  async function stopWorkers(): Promise<void> {
    await Promise.all(platform.processes.filter((p) => p.name === 'scanner-worker').map((p) => p.stop()));
  }

  async function ensureWorker(): Promise<void> {
    const running = platform.processes.some((p) => p.name === 'scanner-worker' && p.child.exitCode === null && p.child.signalCode === null);
    if (!running) await platform.start('scanner-worker');
  }

  async function workerStarts(scanId: string): Promise<number> {
    const [row] = await platform.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM worker.outbox WHERE type = 'scan.attempt.started.v1' AND envelope->'payload'->>'scanId' = $1`,
      [scanId],
    );
    return row.n;
  }

  it('a job that crashes every worker it reaches fails its scan with worker_crashed after the delivery limit', async () => {
    await stopWorkers();
    await forgetSboms();
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image: `${slow.host}/library/alpine:3.10`, force_rescan: true });
    const scanId = created.body.scan_id;
    let kills = 0;
    for (let delivery = 1; delivery <= 6; delivery++) {
      const worker = await platform.start('scanner-worker');
      const outcome = await waitFor(
        async () => {
          if ((await workerStarts(scanId)) >= delivery) return 'started';
          const scan = (await api.get<ScanView>(`/api/v1/scans/${scanId}`)).body;
          return scan.status === 'failed' ? 'failed' : undefined;
        },
        { what: `delivery ${delivery} of the job` },
      );
      await worker.stop('SIGKILL');
      if (outcome === 'failed') break;
      kills += 1;
    }
    const scan = await waitForScan(api, scanId);
    expect(scan.status).toBe('failed');
    expect(scan.error?.code).toBe('worker_crashed');
    expect(kills).toBe(4); // the first delivery and three redeliveries (WORK_QUEUE_DELIVERY_LIMIT 3)
    expect(await terminalEvents(scanId)).toEqual(['scan.failed.v1']);
  });

  it('canceling a running scan stops its worker at the next layer boundary, and nothing is reported for it', async () => {
    await stopWorkers();
    await forgetSboms();
    const worker = await platform.start('scanner-worker');
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image: `${slow.host}/library/alpine:3.10`, force_rescan: true });
    const scanId = created.body.scan_id;
    await waitFor(async () => (await api.get<ScanView>(`/api/v1/scans/${scanId}`)).body.status === 'running', { what: 'the scan to run' });
    const canceled = await api.delete<{ status: string }>(`/api/v1/scans/${scanId}`);
    expect(canceled.status).toBe(200);
    await new Promise((r) => setTimeout(r, 9000)); // longer than the download would have taken
    const reports = await platform.query<{ type: string }>(
      `SELECT type FROM worker.outbox WHERE envelope->'payload'->>'scanId' = $1 AND type IN ('scan.attempt.succeeded.v1', 'scan.attempt.failed.v1')`,
      [scanId],
    );
    expect(reports).toEqual([]);
    expect((await api.get<ScanView>(`/api/v1/scans/${scanId}`)).body.status).toBe('canceled');
    expect(await terminalEvents(scanId)).toEqual(['scan.canceled.v1']);
    await worker.stop();
  });

  it('the outbox relay killed between a commit and its publish: the event goes out after restart', async () => {
    await ensureWorker();
    await scheduler.stop();
    const held = await platform.start('scan-scheduler', { OUTBOX_RELAY_ENABLED: 'false' });
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', {
      image: `${registry.host}/library/alpine:3.10`,
      force_rescan: true,
    });
    expect(created.status).toBe(202);
    const pending = await waitFor(
      async () => {
        const rows = await platform.query(
          `SELECT id FROM scheduler.outbox WHERE type = 'scan.job.queued.v1' AND published_at IS NULL AND envelope->'payload'->>'scanId' = $1`,
          [created.body.scan_id],
        );
        return rows.length === 1 ? rows : undefined;
      },
      { what: 'the committed, unpublished ScanJobQueued' },
    );
    expect(pending).toHaveLength(1);
    await held.stop('SIGKILL');
    scheduler = await platform.start('scan-scheduler');
    const scan = await waitForScan(api, created.body.scan_id);
    expect(scan.status).toBe('completed');
    expect(await terminalEvents(created.body.scan_id)).toEqual(['scan.completed.v1']);
  });

  it('malformed messages go to the dead-letter queue, are listed and replayable, and the consumer keeps going', async () => {
    await ensureWorker();
    const connection = await amqpConnect(platform.amqpUrl);
    const channel = await connection.createConfirmChannel();
    const exchange = `${platform.prefix}.events`;
    channel.publish(exchange, 'scan.attempt.started.v1', Buffer.from('this is not JSON'), { persistent: true });
    const envelope = {
      id: '01234567-89ab-7def-8123-456789abcdef',
      type: 'scan.attempt.started.v1',
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: 'poison-test',
      payload: { scanId: 'not-a-uuid', attempt: 0, workerId: 'w' },
    };
    channel.publish(exchange, 'scan.attempt.started.v1', Buffer.from(JSON.stringify(envelope)), { persistent: true });
    await channel.waitForConfirms();
    await connection.close();

    const letters = await waitFor(
      async () => {
        const page = await api.get<{ items: { id: string; service: string; reason: string; error: string; routing_key: string }[] }>(
          '/api/v1/admin/dead-letters',
        );
        const mine = page.body.items.filter((item) => item.service === 'scan-scheduler' && item.routing_key === 'scan.attempt.started.v1');
        return mine.length === 2 ? mine : undefined;
      },
      { what: 'two dead letters' },
    );
    expect(letters.map((letter) => letter.reason)).toEqual(['invalid_payload', 'invalid_payload']);
    expect(letters.map((letter) => letter.error).join(' ')).toContain('scanId');

    // the consumer is still consuming: a scan goes through
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', {
      image: `${registry.host}/library/alpine:3.10`,
      force_rescan: true,
    });
    expect((await waitForScan(api, created.body.scan_id)).status).toBe('completed');

    const replay = await api.post<{ replayed: boolean; service: string }>(`/api/v1/admin/dead-letters/${letters[0].id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ replayed: true, service: 'scan-scheduler' });
    const rows = await platform.query<{ replayed_at: Date | null }>(`SELECT replayed_at FROM scheduler.dead_letters WHERE id = $1`, [
      letters[0].id,
    ]);
    expect(rows[0].replayed_at).not.toBeNull();
    expect((await api.post(`/api/v1/admin/dead-letters/01234567-89ab-7def-8123-000000000000/replay`)).status).toBe(404);
  });
});
