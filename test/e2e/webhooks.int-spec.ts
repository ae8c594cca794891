import { createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Server as TcpServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, pushImage, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, waitForFeeds, waitForScan } from '../support/api';
import { TestPlatform, testSecret, waitFor } from '../support/platform';

interface Delivery {
  headers: IncomingHttpHeaders;
  raw: string;
  body: WebhookBody;
  at: number;
}

interface WebhookBody {
  event: string;
  delivery_id: string;
  tenant_id: string;
  scan: { id: string; image: string; manifest_digest: string; trigger: string | null };
  report: { id: string; summary: { total: number; fixable: number; by_severity: Record<string, number> } } | null;
  previous_scan_id?: string | null;
  new_vulnerabilities?: { total: number; truncated: boolean; items: { id: string; package: { name: string } }[] };
}

interface DeliveryView {
  id: string;
  event: string;
  scan_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  attempt_log: { attempt: number; status_code: number | null; error: string | null; duration_ms: number; at: string }[];
}

interface WebhookView {
  id: string;
  url: string;
  events: string[];
  created_at: string;
  secret?: string;
}

/** An HTTP receiver on loopback answering each request with the status `answer` picks. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly answer: (n: number) => number | 'hang') {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        this.deliveries.push({ headers: req.headers, raw, body: JSON.parse(raw) as WebhookBody, at: Date.now() });
        const status = this.answer(this.deliveries.length);
        if (status !== 'hang') res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? 'receiver says no' : 'ok');
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/vulnscan`;
  }

  of(event: string, scanId: string): Delivery[] {
    return this.deliveries.filter((d) => d.body.event === event && d.body.scan.id === scanId);
  }

  stop(): void {
    this.sockets.forEach((socket) => socket.destroy());
    this.server.close();
  }
}

const verify = (secret: string, delivery: Delivery) => {
  const timestamp = String(delivery.headers['x-vulnscan-timestamp']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${delivery.raw}`).digest('hex')}`;
  return delivery.headers['x-vulnscan-signature'] === expected && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
};

/**
 * Webhooks end to end: registered through the API, notified by security-status after real scans
 * of a real image matched against a real feed, delivered to HTTP receivers in this test.
 */
describe('webhooks', () => {
  let registry: TestRegistry;
  let platform: TestPlatform;
  let api: Api;
  let scratch: string;
  let image: string;
  let digest: string;
  const good = new Receiver(() => 200);
  const flaky = new Receiver((n) => (n <= 2 ? 500 : 200));
  const hanging = new Receiver(() => 'hang');
  let garbage: TcpServer;
  let urls: { good: string; flaky: string; hanging: string; garbage: string };
  let hookA: WebhookView;
  let hookB: WebhookView;
  let firstScan: string;
  const flakySecret = 'flaky-receiver-secret-0123456789';

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'webhooks-e2e-'));
    cpSync(join(fixturesDir(), 'feeds', 'alpine-secdb', 'v3.10'), join(scratch, 'alpine-v3.10'), { recursive: true });
    registry = await startRegistry();
    digest = await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:3.10');
    image = `${registry.host}/library/alpine:3.10`;
    garbage = createTcpServer((socket) => socket.end('\u0000garbage, not HTTP\r\n\r\n'));
    await new Promise<void>((done) => garbage.listen(0, '127.0.0.1', done));
    urls = {
      good: await good.start(),
      flaky: await flaky.start(),
      hanging: await hanging.start(),
      garbage: `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/`,
    };
    platform = new TestPlatform({
      INSECURE_REGISTRIES: registry.host,
      WEBHOOK_ENCRYPTION_KEY: testSecret(),
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_POLL_MS: '100',
      WEBHOOK_RETRY_BASE_MS: '400',
      WEBHOOK_RETRY_MAX_MS: '1000',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_MAX_ATTEMPTS: '3',
    });
    await platform.start('scan-scheduler');
    api = new Api((await platform.start('gateway')).url);
    await platform.start('scanner-worker', {
      VULNDB_SOURCES: `alpine-secdb=${join(scratch, 'alpine-v3.10')}`,
      VULNDB_SYNC_INTERVAL_MINUTES: '0',
    });
    // Two replicas: they share the delivery queue and never send one delivery twice.
    await Promise.all([platform.start('security-status'), platform.start('security-status')]);
    await waitForFeeds(api, 1);
  });

  afterAll(async () => {
    await platform?.stop();
    await registry?.stop();
    [good, flaky, hanging].forEach((receiver) => receiver.stop());
    garbage?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const deliveriesOf = async (hook: WebhookView) => {
    const response = await api.get<{ items: DeliveryView[] }>(`/api/v1/webhooks/${hook.id}/deliveries`);
    expect(response.status).toBe(200);
    return response.body.items;
  };

  const scan = async () => {
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image, force_rescan: true });
    expect(created.status).toBe(202);
    expect((await waitForScan(api, created.body.scan_id)).status).toBe('completed');
    return created.body.scan_id;
  };

  it('refuses bad URLs, events and secrets, naming the field', async () => {
    const events = ['scan.completed'];
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ url: 'ftp://127.0.0.1/x', events }, 'url', /http or https/],
      [{ url: 'http://user:pw@127.0.0.1/x', events }, 'url', /credentials/],
      [{ url: 'not a url', events }, 'url', /absolute/],
      [{ url: urls.good, events: ['scan.exploded'] }, 'events', /among/],
      [{ url: urls.good, events: [] }, 'events', /at least one/],
      [{ url: urls.good, events, secret: 'short' }, 'secret', /16/],
    ];
    for (const [body, field, message] of cases) {
      const response = await api.post<{ code: string; fields: string[]; detail: string }>('/api/v1/webhooks', body);
      expect(response.status).toBe(400);
      expect(response.body.fields).toEqual([field]);
      expect(response.body.detail).toMatch(message);
    }
    // The owner's outbound policy: metadata addresses never, private ones only when allowed.
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/hook', 'http://localhost:8080/hook']) {
      const response = await api.post<{ code: string; detail: string }>('/api/v1/webhooks', { url, events });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('host_not_allowed');
      expect(response.body.detail).toMatch(/^url: /);
    }
    expect((await api.get<{ items: unknown[] }>('/api/v1/webhooks')).body.items).toEqual([]);
  });

  it('registers webhooks, shows each secret once and stores it encrypted', async () => {
    const a = await api.post<WebhookView>('/api/v1/webhooks', { url: urls.good, events: ['vulnerabilities.new', 'scan.completed'] });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ url: urls.good, events: ['scan.completed', 'vulnerabilities.new'] });
    expect(a.body.secret).toMatch(/^whsec_/);
    hookA = a.body;
    const b = await api.post<WebhookView>('/api/v1/webhooks', { url: urls.flaky, events: ['scan.completed'], secret: flakySecret });
    expect(b.status).toBe(201);
    expect(b.body.secret).toBe(flakySecret);
    hookB = b.body;
    for (const url of [urls.hanging, urls.garbage]) {
      expect((await api.post('/api/v1/webhooks', { url, events: ['scan.completed'] })).status).toBe(201);
    }

    const listed = await api.get<{ items: WebhookView[] }>('/api/v1/webhooks');
    expect(listed.body.items.map((hook) => hook.url)).toEqual([urls.good, urls.flaky, urls.hanging, urls.garbage]);
    expect(JSON.stringify(listed.body)).not.toContain(hookA.secret);
    expect(JSON.stringify(listed.body)).not.toContain(flakySecret);
    expect(listed.body.items.every((hook) => !('secret' in hook))).toBe(true);
    const one = await api.get<WebhookView>(`/api/v1/webhooks/${hookA.id}`);
    expect(one.body).toEqual({ id: hookA.id, url: urls.good, events: hookA.events, created_at: hookA.created_at });

    const rows = await platform.query<{ secret: string }>(`SELECT secret FROM status.webhooks WHERE id = ANY($1)`, [[hookA.id, hookB.id]]);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.secret).toMatch(/^v1:/);
      expect(row.secret).not.toContain(flakySecret);
      expect(row.secret).not.toContain(hookA.secret!.slice(6));
    }
  });

  it('delivers a signed scan.completed naming the scan and its report, and every finding of the first scan as new', async () => {
    firstScan = await scan();
    const report = (
      await api.get<{ report_id: string; summary: object; findings: { id: string; package: { name: string } }[] }>(
        `/api/v1/scans/${firstScan}/report`,
      )
    ).body;
    expect(report.findings.length).toBeGreaterThan(10);

    const arrived = (event: string) => waitFor(async () => good.of(event, firstScan)[0], { what: `${event} at the receiver` });
    const completed = await arrived('scan.completed');
    expect(verify(hookA.secret!, completed)).toBe(true);
    expect(verify('another-secret-entirely', completed)).toBe(false);
    expect(completed.headers).toMatchObject({
      'content-type': 'application/json',
      'x-vulnscan-event': 'scan.completed',
      'x-vulnscan-delivery': completed.body.delivery_id,
      'x-vulnscan-attempt': '1',
    });
    expect(completed.body).toMatchObject({
      event: 'scan.completed',
      tenant_id: 'default',
      scan: { id: firstScan, image, manifest_digest: digest, trigger: 'api' },
      report: { id: report.report_id, summary: report.summary },
    });

    const fresh = await arrived('vulnerabilities.new');
    expect(verify(hookA.secret!, fresh)).toBe(true);
    expect(fresh.headers['x-vulnscan-event']).toBe('vulnerabilities.new');
    expect(fresh.body.previous_scan_id).toBeNull();
    const key = (f: { id: string; package: { name: string } }) => `${f.id} ${f.package.name}`;
    expect(fresh.body.new_vulnerabilities!.items.map(key).sort()).toEqual(report.findings.map(key).sort());
    expect(fresh.body.new_vulnerabilities).toMatchObject({ total: report.findings.length, truncated: false });

    // the receiver has answered; the deliverer records that right after
    const recorded = await waitFor(
      async () => {
        const items = await deliveriesOf(hookA);
        return items.length === 2 && items.every((d) => d.status === 'delivered') && items;
      },
      { what: 'both deliveries recorded as delivered' },
    );
    expect(recorded.map((d) => [d.event, d.scan_id, d.status, d.attempts]).sort()).toEqual([
      ['scan.completed', firstScan, 'delivered', 1],
      ['vulnerabilities.new', firstScan, 'delivered', 1],
    ]);
    expect(recorded[0].attempt_log).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, error: null })]);
  });

  it('retries a failing receiver with backoff until it answers, recording every attempt', async () => {
    const [delivery] = await waitFor(
      async () => {
        const items = await deliveriesOf(hookB);
        return items.length === 1 && items[0].status === 'delivered' && items;
      },
      { timeoutMs: 30_000, what: 'the flaky receiver to get its delivery' },
    );
    expect(delivery).toMatchObject({ event: 'scan.completed', scan_id: firstScan, attempts: 3, last_error: null });
    expect(delivery.attempt_log.map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(delivery.attempt_log[0].error).toBe('HTTP 500: receiver says no');

    // Three POSTs of one delivery: the same id and body, each signed afresh, spaced by the backoff.
    expect(flaky.deliveries).toHaveLength(3);
    expect(new Set(flaky.deliveries.map((d) => d.headers['x-vulnscan-delivery']))).toEqual(new Set([delivery.id]));
    expect(new Set(flaky.deliveries.map((d) => d.raw)).size).toBe(1);
    expect(flaky.deliveries.map((d) => d.headers['x-vulnscan-attempt'])).toEqual(['1', '2', '3']);
    expect(flaky.deliveries.every((d) => verify(flakySecret, d))).toBe(true);
    // Full jitter: any wait from 0 up to base·2^(attempt-1) (400 ms, then 800 ms) is a right one, so
    // only the upper end is checked here (plus polling and load slack); the draw is unit-tested in libs/backoff.
    expect(flaky.deliveries[1].at - flaky.deliveries[0].at).toBeLessThan(400 + 3000);
    expect(flaky.deliveries[2].at - flaky.deliveries[1].at).toBeLessThan(800 + 3000);
  });

  it('stays up when receivers hang or answer garbage, and marks their deliveries failed after the last attempt', async () => {
    const hooks = (await api.get<{ items: WebhookView[] }>('/api/v1/webhooks')).body.items;
    for (const url of [urls.hanging, urls.garbage]) {
      const hook = hooks.find((h) => h.url === url)!;
      const [delivery] = await waitFor(
        async () => {
          const items = await deliveriesOf(hook);
          return items[0]?.status === 'failed' && items;
        },
        { timeoutMs: 30_000, what: `the delivery to ${url} to fail` },
      );
      expect(delivery.attempts).toBe(3);
      expect(delivery.attempt_log).toHaveLength(3);
      for (const attempt of delivery.attempt_log) {
        expect(attempt.status_code).toBeNull();
        expect(attempt.error).toMatch(url === urls.hanging ? /^timed out after 1000 ms$/ : /HPE_|Parse Error/);
      }
    }
    expect(hanging.deliveries).toHaveLength(3);
    for (const service of platform.processes.filter((p) => p.name === 'security-status')) {
      expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    }
  });

  it('notifies vulnerabilities.new only for findings the previous scan of the image did not have', async () => {
    // The same image again: nothing new, so only scan.completed.
    const second = await scan();
    await waitFor(async () => good.of('scan.completed', second).length > 0, { what: 'scan.completed of the second scan' });
    // Both rows are enqueued in one transaction: once one is visible, the other would be too.
    expect((await deliveriesOf(hookA)).filter((d) => d.scan_id === second).map((d) => d.event)).toEqual(['scan.completed']);

    // The feed gains a vulnerability of musl: the re-match finds it, and only it, new.
    const file = join(scratch, 'alpine-v3.10', 'main.json');
    const secdb = JSON.parse(readFileSync(file, 'utf8')) as { packages: { pkg: { name: string; secfixes?: Record<string, string[]> } }[] };
    const musl = secdb.packages.find((p) => p.pkg.name === 'musl')!;
    musl.pkg.secfixes = { ...musl.pkg.secfixes, '1.1.99-r0': ['CVE-2099-12345'] };
    writeFileSync(file, JSON.stringify(secdb));
    expect((await api.post('/api/v1/vulndb/sync', { feeds: ['alpine-secdb'] })).status).toBeLessThan(300);

    const fresh = await waitFor(
      async () => good.deliveries.find((d) => d.body.event === 'vulnerabilities.new' && ![firstScan, second].includes(d.body.scan.id)),
      { timeoutMs: 60_000, intervalMs: 250, what: 'vulnerabilities.new after the feed update' },
    );
    expect(verify(hookA.secret!, fresh)).toBe(true);
    expect(fresh.body.scan).toMatchObject({ image, trigger: 'vulndb_update' });
    expect(fresh.body.previous_scan_id).toBe(second);
    expect(fresh.body.new_vulnerabilities!.items.map((f) => [f.id, f.package.name]).sort()).toEqual([
      ['CVE-2099-12345', 'musl'],
      ['CVE-2099-12345', 'musl-utils'],
    ]);
    expect(fresh.body.new_vulnerabilities!.total).toBe(2);
  });

  it('never sends one delivery twice, even with two replicas', async () => {
    const attempts = [...good.deliveries, ...flaky.deliveries, ...hanging.deliveries].map(
      (d) => `${String(d.headers['x-vulnscan-delivery'])}#${String(d.headers['x-vulnscan-attempt'])}`,
    );
    expect(new Set(attempts).size).toBe(attempts.length);
  });

  it('keeps nothing in security-status for the API scans it does not follow', async () => {
    const followed = await platform.query<{ followed: boolean; n: number }>(
      `SELECT followed, count(*)::int AS n FROM scheduler.scans GROUP BY followed`,
    );
    expect(followed).toEqual([{ followed: false, n: expect.any(Number) }]);
    expect(await platform.query(`SELECT scan_id FROM status.early_scan_states`)).toEqual([]);
  });

  it("hides a tenant's webhooks from other tenants", async () => {
    await api.post('/api/v1/tenants', { id: 'other', name: 'Other' });
    const key = await api.post<{ key: string }>('/api/v1/api-keys', {
      tenant_id: 'other',
      name: 'k',
      scopes: ['scans:read', 'scans:write'],
    });
    const other = api.withKey(key.body.key);
    expect((await other.get<{ items: unknown[] }>('/api/v1/webhooks')).body.items).toEqual([]);
    expect((await other.get(`/api/v1/webhooks/${hookA.id}`)).status).toBe(404);
    expect((await other.get(`/api/v1/webhooks/${hookA.id}/deliveries`)).status).toBe(404);
    expect((await other.delete(`/api/v1/webhooks/${hookA.id}`)).status).toBe(404);
    expect((await api.get(`/api/v1/webhooks/${hookA.id}`)).status).toBe(200);
    // Read-only keys cannot register webhooks.
    const reader = await api.post<{ key: string }>('/api/v1/api-keys', { tenant_id: 'other', name: 'r', scopes: ['scans:read'] });
    expect((await api.withKey(reader.body.key).post('/api/v1/webhooks', { url: urls.good, events: ['scan.completed'] })).status).toBe(403);
  });

  it('deletes a webhook with its deliveries', async () => {
    expect((await api.delete(`/api/v1/webhooks/${hookB.id}`)).status).toBe(204);
    expect((await api.get<{ items: WebhookView[] }>('/api/v1/webhooks')).body.items.map((h) => h.id)).not.toContain(hookB.id);
    expect((await api.get(`/api/v1/webhooks/${hookB.id}/deliveries`)).status).toBe(404);
    expect((await api.delete(`/api/v1/webhooks/${hookB.id}`)).status).toBe(404);
    expect(await platform.query(`SELECT 1 FROM status.notifications WHERE webhook_id = $1`, [hookB.id])).toEqual([]);
  });
});
