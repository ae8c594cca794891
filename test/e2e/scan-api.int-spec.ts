import { join } from 'node:path';
import { fixturesDir, pushImage, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, ScanView, waitForScan } from '../support/api';
import { ServiceProcess, TestPlatform, waitFor } from '../support/platform';

/**
 * The scan API end to end: real gateway, scheduler and worker processes, real Postgres and
 * RabbitMQ, a real docker-registry holding the alpine-310 fixture pushed with skopeo.
 */
describe('scan API', () => {
  let registry: TestRegistry;
  let platform: TestPlatform;
  let gateway: ServiceProcess;
  let api: Api;
  let pushedDigest: string;
  let image: string;

  beforeAll(async () => {
    registry = await startRegistry();
    pushedDigest = await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:3.10');
    image = `${registry.host}/library/alpine:3.10`;
    platform = new TestPlatform({ INSECURE_REGISTRIES: registry.host });
    await platform.start('scan-scheduler');
    gateway = await platform.start('gateway');
    api = new Api(gateway.url);
  });

  afterAll(async () => {
    await platform?.stop();
    await registry?.stop();
  });

  it('every service boots, migrates and reports live and ready', async () => {
    const others = await Promise.all([platform.start('blob-cache-worker'), platform.start('security-status')]);
    for (const service of [gateway, ...others]) {
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
      const ready = (await (await fetch(`${service.url}/health/ready`)).json()) as {
        status: string;
        details: Record<string, { status: string }>;
      };
      // degraded (still 200) only if booting on a busy machine stalled the loop over a second
      expect(['ok', 'degraded']).toContain(ready.status);
      expect(Object.keys(ready.details).sort()).toEqual(['broker', 'database', 'event_loop']);
      expect([ready.details.broker.status, ready.details.database.status]).toEqual(['up', 'up']);
    }
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('http_request_duration_seconds');
    await Promise.all(others.map((service) => service.stop()));
  });

  it("completes a scan whose manifest digest and layers are the registry's", async () => {
    await platform.start('scanner-worker');
    const created = await api.post<{ scan_id: string; status: string; deduplicated: boolean }>('/api/v1/scans', { image });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: 'queued', deduplicated: false });
    const readable = await api.get<ScanView>(`/api/v1/scans/${created.body.scan_id}`);
    expect(readable.status).toBe(200);

    const scan = await waitForScan(api, created.body.scan_id);
    expect(scan.status).toBe('completed');
    expect(scan.progress).toBe(100);
    expect(scan.manifest_digest).toBe(pushedDigest);
    expect(scan.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    const manifest = (await (
      await fetch(`${registry.url}/v2/library/alpine/manifests/${pushedDigest}`, {
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
      })
    ).json()) as { layers: { digest: string; size: number; mediaType: string }[] };
    expect(scan.layers).toEqual(manifest.layers.map((layer) => ({ digest: layer.digest, size: layer.size, media_type: layer.mediaType })));

    // one trace follows the scan across services: the traceparent travels in every envelope
    const traced = await platform.query<{ type: string; trace_id: string }>(
      `SELECT type, split_part(envelope->>'traceparent', '-', 2) AS trace_id FROM (
         SELECT type, envelope FROM scheduler.outbox UNION ALL SELECT type, envelope FROM worker.outbox
       ) events WHERE envelope->'payload'->>'scanId' = $1`,
      [created.body.scan_id],
    );
    expect(traced.map((event) => event.type)).toEqual(
      expect.arrayContaining(['scan.job.queued.v1', 'scan.attempt.started.v1', 'scan.attempt.succeeded.v1', 'scan.completed.v1']),
    );
    expect(new Set(traced.map((event) => event.trace_id)).size).toBe(1);
    expect(traced[0].trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(traced[0].trace_id).not.toBe('0'.repeat(32));

    // the SBOM: exactly the 14 packages of the image's apk database, as CycloneDX and SPDX
    const cyclonedx = await api.get<{
      bomFormat: string;
      specVersion: string;
      components: { type: string; name: string; version: string; purl: string }[];
    }>(`/api/v1/scans/${created.body.scan_id}/sbom`);
    expect(cyclonedx.status).toBe(200);
    expect(cyclonedx.headers.get('content-type')).toContain('application/vnd.cyclonedx+json');
    expect(cyclonedx.body).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    const libraries = cyclonedx.body.components.filter((component) => component.type === 'library');
    expect(libraries).toHaveLength(14);
    expect(libraries.map((component) => `${component.name}@${component.version}`)).toEqual(
      expect.arrayContaining(['musl@1.1.22-r3', 'busybox@1.30.1-r3', 'alpine-baselayout@3.1.2-r0', 'zlib@1.2.11-r1']),
    );
    const spdx = await api.get<{ spdxVersion: string; packages: unknown[] }>(`/api/v1/scans/${created.body.scan_id}/sbom?format=spdx`);
    expect(spdx.headers.get('content-type')).toContain('application/spdx+json');
    expect(spdx.body.spdxVersion).toBe('SPDX-2.3');
    expect(spdx.body.packages.length).toBeGreaterThanOrEqual(15); // the image and its 14 packages
    expect((await api.get(`/api/v1/scans/${created.body.scan_id}/sbom?format=xml`)).status).toBe(400);
  });

  it('generates the SBOM of a new digest once, even for concurrent scans on two worker processes', async () => {
    const digest = await pushImage(join(fixturesDir(), 'images/layer-edge-cases/basic.tar'), registry, 'edge/basic:1');
    await platform.start('scanner-worker');
    const target = `${registry.host}/edge/basic:1`;
    const scans = await Promise.all(
      [1, 2, 3].map(() => api.post<{ scan_id: string }>('/api/v1/scans', { image: target, force_rescan: true })),
    );
    const done = await Promise.all(scans.map((answer) => waitForScan(api, answer.body.scan_id)));
    expect(done.map((scan) => scan.status)).toEqual(['completed', 'completed', 'completed']);
    const rows = await platform.query<{ n: number }>(`SELECT count(*)::int AS n FROM worker.sboms WHERE manifest_digest = $1`, [digest]);
    expect(rows[0].n).toBe(1);
    const sbom = await api.get<{ components?: unknown[] }>(`/api/v1/scans/${scans[2].body.scan_id}/sbom`);
    expect(sbom.status).toBe(200);
  });

  it('accepts the older image_name/image_tag shape and Docker Hub defaults', async () => {
    const legacy = await api.post<{ scan_id: string }>('/api/v1/scans', {
      image_name: `${registry.host}/library/alpine`,
      image_tag: '3.10',
    });
    expect([200, 202]).toContain(legacy.status);
    const scan = await api.get<ScanView>(`/api/v1/scans/${legacy.body.scan_id}`);
    expect(scan.body.image).toBe(image);
  });

  it('rejects bad bodies and references with 400 naming the field', async () => {
    const bad = await api.post<{ code: string; fields: string[] }>('/api/v1/scans', { image: 'UPPER/Case:tag' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.code).toBe('invalid_reference');
    expect(bad.body.fields).toEqual(['image']);

    const missing = await api.post<{ code: string; fields: string[] }>('/api/v1/scans', {});
    expect(missing.status).toBe(400);
    expect(missing.body.fields).toContain('image');

    const wrongType = await api.post<{ fields: string[] }>('/api/v1/scans', { image, force_rescan: 'yes' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.fields).toEqual(['force_rescan']);

    const notJson = await api.request<{ code: string }>('POST', '/api/v1/scans', undefined, '{"image": ');
    expect(notJson.status).toBe(400);

    const badId = await api.get<{ code: string }>('/api/v1/scans/not-a-uuid');
    expect(badId.status).toBe(400);
  });

  it('fails a scan of a tag the registry does not have with not_found', async () => {
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image: `${registry.host}/library/alpine:no-such-tag` });
    const scan = await waitForScan(api, created.body.scan_id);
    expect(scan.status).toBe('failed');
    expect(scan.error?.code).toBe('not_found');
  });

  it('fails a scan of a registry host outside the allow list with host_not_allowed', async () => {
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image: '127.0.0.2:1/library/alpine:3.10' });
    const scan = await waitForScan(api, created.body.scan_id);
    expect(scan.status).toBe('failed');
    expect(scan.error?.code).toBe('host_not_allowed');
  });

  describe('with no worker running (scans stay queued)', () => {
    beforeEach(async () => {
      await Promise.all(platform.processes.filter((p) => p.name === 'scanner-worker').map((p) => p.stop()));
    });

    it('deduplicates while queued, forces a new scan on request, and keeps the whole history', async () => {
      const target = `${registry.host}/library/alpine@${pushedDigest}`;
      const first = await api.post<{ scan_id: string; deduplicated: boolean }>('/api/v1/scans', { image: target });
      const second = await api.post<{ scan_id: string; deduplicated: boolean }>('/api/v1/scans', { image: target });
      expect(first.status).toBe(202);
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ scan_id: first.body.scan_id, deduplicated: true });

      const forced = await api.post<{ scan_id: string; deduplicated: boolean }>('/api/v1/scans', { image: target, force_rescan: true });
      expect(forced.status).toBe(202);
      expect(forced.body.scan_id).not.toBe(first.body.scan_id);

      const worker = await platform.start('scanner-worker');
      for (const id of [first.body.scan_id, forced.body.scan_id]) expect((await waitForScan(api, id)).status).toBe('completed');
      // after completion a new scan starts; a second request racing it is deduplicated into it
      const afterwards = await Promise.all([1, 2].map(() => api.post<{ scan_id: string }>('/api/v1/scans', { image: target })));
      expect(afterwards.map((answer) => answer.status).sort()).toEqual([200, 202]);
      expect(afterwards[0].body.scan_id).toBe(afterwards[1].body.scan_id);
      const third = afterwards[0].body.scan_id;
      await waitForScan(api, third);
      const fourth = await api.post<{ scan_id: string }>('/api/v1/scans', { image: target });
      expect(fourth.status).toBe(202);
      expect(new Set([first.body.scan_id, forced.body.scan_id, third, fourth.body.scan_id]).size).toBe(4);
      await waitForScan(api, fourth.body.scan_id);
      await worker.stop();

      const history = await api.get<{ items: ScanView[]; next_cursor: string | null }>(
        `/api/v1/images/${encodeURIComponent(target)}/scans?limit=2`,
      );
      expect(history.status).toBe(200);
      expect(history.body.items).toHaveLength(2);
      const rest = await api.get<{ items: ScanView[]; next_cursor: string | null }>(
        `/api/v1/images/${encodeURIComponent(target)}/scans?limit=50&cursor=${history.body.next_cursor}`,
      );
      const all = [...history.body.items, ...rest.body.items].map((scan) => scan.scan_id);
      expect(all).toEqual(expect.arrayContaining([first.body.scan_id, forced.body.scan_id, third, fourth.body.scan_id]));
      expect(all[0]).toBe(fourth.body.scan_id); // newest first
    });

    it('two gateways and two schedulers answer concurrent POSTs for one image with exactly one scan', async () => {
      const [gateway2] = await Promise.all([platform.start('gateway'), platform.start('scan-scheduler')]);
      const target = `${registry.host}/library/alpine:concurrent`;
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          new Api(i % 2 ? gateway2.url : gateway.url).post<{ scan_id: string }>('/api/v1/scans', { image: target }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([...Array(19).fill(200), 202]);
      expect(new Set(answers.map((answer) => answer.body.scan_id)).size).toBe(1);
      expect(answers.filter((answer) => answer.status === 202)).toHaveLength(1);
      const rows = await platform.query(`SELECT id FROM scheduler.scans WHERE image = $1`, [target]);
      expect(rows).toHaveLength(1);
    });

    it('cancels a queued scan once; a finished scan cannot be canceled', async () => {
      const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image: `${registry.host}/library/alpine:to-cancel` });
      const canceled = await api.delete<{ status: string }>(`/api/v1/scans/${created.body.scan_id}`);
      expect(canceled.status).toBe(200);
      expect(canceled.body.status).toBe('canceled');
      expect((await api.get<ScanView>(`/api/v1/scans/${created.body.scan_id}`)).body.status).toBe('canceled');
      const again = await api.delete<{ code: string }>(`/api/v1/scans/${created.body.scan_id}`);
      expect(again.status).toBe(409);
      const events = await waitFor(
        async () => {
          const rows = await platform.query(
            `SELECT type FROM scheduler.outbox WHERE envelope->'payload'->>'scanId' = $1 AND type = 'scan.canceled.v1'`,
            [created.body.scan_id],
          );
          return rows.length > 0 ? rows : undefined;
        },
        { what: 'ScanCanceled in the outbox' },
      );
      expect(events).toHaveLength(1);
    });
  });
});
