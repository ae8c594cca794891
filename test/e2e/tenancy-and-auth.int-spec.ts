import { Api, ScanView } from '../support/api';
import { TestPlatform } from '../support/platform';

/** API keys, scopes, tenant isolation and the audit log, against real processes. */
describe('tenants, API keys and scopes', () => {
  let platform: TestPlatform;
  let admin: Api;

  beforeAll(async () => {
    platform = new TestPlatform();
    await platform.start('scan-scheduler');
    admin = new Api((await platform.start('gateway')).url);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  async function createKey(tenant: string, scopes: string[]): Promise<Api> {
    const created = await admin.post<{ key: string; id: string }>('/api/v1/api-keys', { tenant_id: tenant, name: `${tenant}-key`, scopes });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^vsk_/);
    return admin.withKey(created.body.key);
  }

  it('answers 401 without a key or with an unknown key, as problem+json', async () => {
    const anonymous = await admin.withKey(null).get<{ code: string }>('/api/v1/scans');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    expect(anonymous.body.code).toBe('unauthorized');
    expect((await admin.withKey('vsk_not-a-real-key').get('/api/v1/scans')).status).toBe(401);
  });

  it("isolates tenants: another tenant's scan is 404 and absent from its lists", async () => {
    expect((await admin.post('/api/v1/tenants', { id: 'team-a', name: 'Team A' })).status).toBe(201);
    expect((await admin.post('/api/v1/tenants', { id: 'team-b', name: 'Team B' })).status).toBe(201);
    expect((await admin.post('/api/v1/tenants', { id: 'team-a', name: 'again' })).status).toBe(409);
    const teamA = await createKey('team-a', ['scans:read', 'scans:write']);
    const teamB = await createKey('team-b', ['scans:read', 'scans:write']);

    const scan = await teamA.post<{ scan_id: string }>('/api/v1/scans', { image: '127.0.0.1:1/library/busybox:1' });
    expect(scan.status).toBe(202);
    expect((await teamA.get(`/api/v1/scans/${scan.body.scan_id}`)).status).toBe(200);
    expect((await teamB.get(`/api/v1/scans/${scan.body.scan_id}`)).status).toBe(404);
    expect((await teamB.delete(`/api/v1/scans/${scan.body.scan_id}`)).status).toBe(404);
    const listB = await teamB.get<{ items: ScanView[] }>('/api/v1/scans');
    expect(listB.body.items.map((item) => item.scan_id)).not.toContain(scan.body.scan_id);
    const listA = await teamA.get<{ items: ScanView[] }>('/api/v1/scans');
    expect(listA.body.items.map((item) => item.scan_id)).toContain(scan.body.scan_id);

    // the same image in two tenants is two images: no cross-tenant dedupe
    const sameImageB = await teamB.post<{ scan_id: string; deduplicated: boolean }>('/api/v1/scans', {
      image: '127.0.0.1:1/library/busybox:1',
    });
    expect(sameImageB.status).toBe(202);
    expect(sameImageB.body.deduplicated).toBe(false);
  });

  it('answers 403 when a key lacks the scope', async () => {
    const reader = await createKey('default', ['scans:read']);
    expect((await reader.get('/api/v1/scans')).status).toBe(200);
    const denied = await reader.post<{ code: string }>('/api/v1/scans', { image: 'alpine:3.10' });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden');
    expect((await reader.get('/api/v1/tenants')).status).toBe(403);
    expect((await reader.get('/api/v1/audit')).status).toBe(403);
  });

  it('revokes keys and never shows a secret again', async () => {
    const created = await admin.post<{ key: string; id: string }>('/api/v1/api-keys', {
      tenant_id: 'default',
      name: 'short-lived',
      scopes: ['scans:read'],
    });
    const listed = await admin.get<{ items: Record<string, unknown>[] }>('/api/v1/api-keys');
    const entry = listed.body.items.find((item) => item.id === created.body.id);
    expect(entry).toBeDefined();
    expect(entry).not.toHaveProperty('key');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect((await admin.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
    const rows = await platform.query<{ key_hash: string }>(`SELECT key_hash FROM gateway.api_keys WHERE id = $1`, [created.body.id]);
    expect(rows[0].key_hash).not.toContain(created.body.key);
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes every state-changing request made with a valid key to the audit log, refused ones included', async () => {
    await admin.withKey(null).post('/api/v1/scans', { image: 'alpine' });
    await admin.post('/api/v1/scans', { image: 'Not Valid' });
    const audit = await admin.get<{ items: { action: string; status: number; tenant_id: string | null; actor: string | null }[] }>(
      '/api/v1/audit?limit=50',
    );
    expect(audit.status).toBe(200);
    const actions = audit.body.items.map((item) => `${item.action} ${item.status}`);
    expect(actions).toEqual(
      expect.arrayContaining(['POST /api/v1/scans 400', 'POST /api/v1/tenants 201', 'DELETE /api/v1/api-keys/:id 204']),
    );
    // a request without a valid key is no one's: counted in a metric, not written (rate-limits.int-spec.ts)
    expect(actions).not.toContain('POST /api/v1/scans 401');
    const refused = audit.body.items.find((item) => item.status === 400);
    expect(refused?.tenant_id).toBe('default');
    expect(refused?.actor).toBeTruthy();
  });

  it('pages the audit log with its cursor, and answers any cursor it did not issue 400 invalid_cursor on every list', async () => {
    const first = await admin.get<{ items: { id: string }[]; next_cursor: string | null }>('/api/v1/audit?limit=1');
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await admin.get<{ items: { id: string }[] }>(`/api/v1/audit?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.status).toBe(200);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);

    const scansCursor = (await admin.get<{ next_cursor: string | null }>('/api/v1/scans?limit=1')).body.next_cursor;
    const lists = ['/api/v1/scans', '/api/v1/audit', '/api/v1/admin/dead-letters', '/api/v1/schedules', '/api/v1/manifests'];
    const forged = ['garbage', Buffer.from('2026-01-01|x').toString('base64url'), '01939b8e-1c2d-7e3f-8a4b-5c6d7e8f9a0b'];
    for (const list of lists) {
      for (const cursor of forged) {
        const answer = await admin.get<{ code: string; fields: string[] }>(`${list}?cursor=${cursor}`);
        expect({ list, cursor, status: answer.status, code: answer.body.code, fields: answer.body.fields }).toEqual({
          list,
          cursor,
          status: 400,
          code: 'invalid_cursor',
          fields: ['cursor'],
        });
      }
    }
    // a cursor from another list (a different keyset) is not one this list issued
    if (scansCursor) expect((await admin.get(`/api/v1/schedules?cursor=${scansCursor}`)).status).toBe(400);
  });

  it('serves the OpenAPI document', async () => {
    const document = await admin.get<{ paths: Record<string, unknown> }>('/api/docs/openapi.json');
    expect(document.status).toBe(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/scans', '/api/v1/scans/{id}', '/api/v1/images/{reference}/scans']),
    );
  });
});
