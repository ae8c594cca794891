import { connect as amqpConnect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { fixturesDir, pushImage, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, ScanView, waitForScan } from '../support/api';
import { ServiceProcess, TestPlatform, waitFor } from '../support/platform';

/** Retries, deadlines and scans requested by other services, decided by the scheduler alone. */
describe('scan lifecycle', () => {
  let registry: TestRegistry;
  let platform: TestPlatform;
  let api: Api;
  let worker: ServiceProcess | undefined;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:3.10');
    platform = new TestPlatform({
      INSECURE_REGISTRIES: `${registry.host},127.0.0.1:9`,
      // room for three attempts on a loaded CI machine; the deadline test runs a scheduler with a short one
      SCAN_TIMEOUT_PER_IMAGE: '3m',
      SCAN_RETRY_BASE: '1s',
      SCAN_MAX_RETRIES: '2',
      SWEEP_INTERVAL_MS: '200',
      COMMAND_TIMEOUT_MS: '1500',
    });
    await platform.start('scan-scheduler');
    api = new Api((await platform.start('gateway')).url);
  });

  const runningSchedulers = () =>
    platform.processes.filter((p) => p.name === 'scan-scheduler' && p.child.exitCode === null && p.child.signalCode === null);

  afterAll(async () => {
    await platform?.stop();
    await registry?.stop();
  });

  it('retries an unreachable registry with new attempts, then fails with unreachable', async () => {
    worker ??= await platform.start('scanner-worker');
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image: '127.0.0.1:9/library/alpine:3.10' });
    const scan = await waitForScan(api, created.body.scan_id, 90000);
    expect(scan.status).toBe('failed');
    expect(scan.error?.code).toBe('unreachable');
    expect(scan.attempts).toBe(3);
    const detail = await api.get<ScanView & { attempt_history: { attempt: number; status: string; error: { code: string } }[] }>(
      `/api/v1/scans/${created.body.scan_id}`,
    );
    expect(detail.body.attempt_history.map((attempt) => [attempt.attempt, attempt.status, attempt.error?.code])).toEqual([
      [1, 'failed', 'unreachable'],
      [2, 'failed', 'unreachable'],
      [3, 'failed', 'unreachable'],
    ]);
  });

  it('answers a ScanRequested event from another service with ScanAccepted, deduplicated while in progress', async () => {
    await worker?.stop();
    worker = undefined;
    const connection = await amqpConnect(platform.amqpUrl);
    const channel = await connection.createConfirmChannel();
    const requests = [randomUUID(), randomUUID()];
    for (const requestId of requests) {
      const envelope = {
        id: uuidv7(),
        type: 'scan.requested.v1',
        version: 1,
        occurredAt: new Date().toISOString(),
        correlationId: requestId,
        tenantId: 'default',
        payload: { requestId, image: `${registry.host}/library/alpine:3.10`, trigger: 'manifest_cached', futureField: 'ignored' },
      };
      channel.publish(`${platform.prefix}.events`, 'scan.requested.v1', Buffer.from(JSON.stringify(envelope)), { persistent: true });
      await channel.waitForConfirms();
    }
    await connection.close();
    const accepted = await waitFor(
      async () => {
        const rows = await platform.query<{ payload: { requestId: string; scanId: string; deduplicated: boolean } }>(
          `SELECT envelope->'payload' AS payload FROM scheduler.outbox WHERE type = 'scan.accepted.v1' AND envelope->'payload'->>'requestId' = ANY($1)`,
          [requests],
        );
        return rows.length === 2 ? rows.map((row) => row.payload) : undefined;
      },
      { what: 'two ScanAccepted events' },
    );
    // the two are handled concurrently: whichever comes second is deduplicated into the first
    expect(accepted.map((event) => event.deduplicated).sort()).toEqual([false, true]);
    expect(accepted[0].scanId).toBe(accepted[1].scanId);
    const scan = await api.get<ScanView & { trigger: string }>(`/api/v1/scans/${accepted[0].scanId}`);
    expect(scan.body.trigger).toBe('manifest_cached');
  });

  it('marks an API scan that a ScanRequested joins as followed, so its later events say so', async () => {
    const image = `${registry.host}/library/alpine:joined`;
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image }); // no worker runs: it stays queued
    const followed = async () =>
      (await platform.query<{ followed: boolean }>(`SELECT followed FROM scheduler.scans WHERE id = $1`, [created.body.scan_id]))[0]
        .followed;
    expect(await followed()).toBe(false);
    const requestId = randomUUID();
    const connection = await amqpConnect(platform.amqpUrl);
    const channel = await connection.createConfirmChannel();
    const envelope = {
      id: uuidv7(),
      type: 'scan.requested.v1',
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: requestId,
      tenantId: 'default',
      payload: { requestId, image, trigger: 'manifest_cached' },
    };
    channel.publish(`${platform.prefix}.events`, 'scan.requested.v1', Buffer.from(JSON.stringify(envelope)), { persistent: true });
    await channel.waitForConfirms();
    await connection.close();
    const accepted = await waitFor(
      async () =>
        (
          await platform.query<{ payload: { scanId: string; deduplicated: boolean; status: string } }>(
            `SELECT envelope->'payload' AS payload FROM scheduler.outbox WHERE type = 'scan.accepted.v1' AND envelope->'payload'->>'requestId' = $1`,
            [requestId],
          )
        )[0]?.payload,
      { what: 'the ScanAccepted' },
    );
    expect(accepted).toMatchObject({ scanId: created.body.scan_id, deduplicated: true, status: 'queued' });
    expect(await followed()).toBe(true);
    expect((await api.delete(`/api/v1/scans/${created.body.scan_id}`)).status).toBe(200);
  });

  it('answers 503 with Retry-After while no scheduler answers, and the expired command never creates a scan later', async () => {
    await Promise.all(runningSchedulers().map((scheduler) => scheduler.stop()));
    const image = `${registry.host}/library/alpine:while-down`;
    const answer = await api.post<{ code: string }>('/api/v1/scans', { image });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('5');
    await platform.start('scan-scheduler');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await platform.query(`SELECT id FROM scheduler.scans WHERE image = $1`, [image])).toEqual([]);
  });

  it('fails a scan past its deadline with timeout, and it no longer blocks new scans of the image', async () => {
    await Promise.all(runningSchedulers().map((scheduler) => scheduler.stop()));
    await platform.start('scan-scheduler', { SCAN_TIMEOUT_PER_IMAGE: '10s' });
    const image = `${registry.host}/library/alpine:deadline`;
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image });
    const scan = await waitForScan(api, created.body.scan_id, 30000);
    expect(scan.status).toBe('failed');
    expect(scan.error?.code).toBe('timeout');
    const again = await api.post<{ scan_id: string; deduplicated: boolean }>('/api/v1/scans', { image });
    expect(again.status).toBe(202);
    expect(again.body.scan_id).not.toBe(created.body.scan_id);
  });
});
