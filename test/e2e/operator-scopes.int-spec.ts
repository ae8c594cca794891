import { readFileSync } from 'node:fs';
import { Api } from '../support/api';
import { ADMIN_KEY, TestPlatform } from '../support/platform';

interface KeyView {
  id: string;
  tenant_id: string;
  name: string;
  scopes: string[];
  key?: string;
}

/**
 * The operator (`platform:admin`) and a tenant's own `admin`, against real processes: a tenant
 * admin manages its own keys and reads its own audit, and nothing of the platform or another tenant.
 */
describe('operator and tenant admin scopes', () => {
  let platform: TestPlatform;
  let operator: Api;
  let teamAdmin: Api;
  let defaultReader: KeyView;

  beforeAll(async () => {
    platform = new TestPlatform();
    await platform.start('scan-scheduler');
    operator = new Api((await platform.start('gateway')).url);
    for (const id of ['team-a', 'team-b']) expect((await operator.post('/api/v1/tenants', { id, name: id })).status).toBe(201);
    const admin = await operator.post<KeyView>('/api/v1/api-keys', { tenant_id: 'team-a', name: 'team-a-admin', scopes: ['admin'] });
    expect(admin.status).toBe(201);
    teamAdmin = operator.withKey(admin.body.key!);
    defaultReader = (await operator.post<KeyView>('/api/v1/api-keys', { tenant_id: 'default', name: 'reader', scopes: ['scans:read'] }))
      .body;
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it("lets a tenant admin mint keys of its own tenant only, never an operator's", async () => {
    const own = await teamAdmin.post<KeyView>('/api/v1/api-keys', { name: 'ci', scopes: ['scans:read', 'scans:write'] });
    expect(own.status).toBe(201);
    expect(own.body.tenant_id).toBe('team-a');

    const intoDefault = await teamAdmin.post<{ code: string }>('/api/v1/api-keys', { tenant_id: 'default', name: 'x', scopes: ['admin'] });
    expect({ status: intoDefault.status, code: intoDefault.body.code }).toEqual({ status: 403, code: 'forbidden' });
    const intoNowhere = await teamAdmin.post<{ code: string }>('/api/v1/api-keys', { tenant_id: 'no-such', name: 'x', scopes: ['admin'] });
    expect({ status: intoNowhere.status, code: intoNowhere.body.code }).toEqual({ status: 403, code: 'forbidden' });
    const operatorKey = await teamAdmin.post<{ code: string }>('/api/v1/api-keys', { name: 'x', scopes: ['platform:admin'] });
    expect(operatorKey.status).toBe(403);
    // not even the operator makes another tenant's key an operator key
    const foreignOperator = await operator.post<{ code: string }>('/api/v1/api-keys', {
      tenant_id: 'team-b',
      name: 'x',
      scopes: ['platform:admin'],
    });
    expect(foreignOperator.status).toBe(400);

    const keys = await teamAdmin.get<{ items: KeyView[] }>('/api/v1/api-keys');
    expect(keys.status).toBe(200);
    expect(new Set(keys.body.items.map((key) => key.tenant_id))).toEqual(new Set(['team-a']));
    expect((await teamAdmin.get('/api/v1/api-keys?tenant_id=default')).status).toBe(403);
  });

  it("cannot revoke another tenant's key, which keeps working", async () => {
    expect((await teamAdmin.delete(`/api/v1/api-keys/${defaultReader.id}`)).status).toBe(404);
    expect((await operator.withKey(defaultReader.key!).get('/api/v1/scans')).status).toBe(200);
  });

  it('keeps tenants, dead letters, feed syncs and platform totals to the operator', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/tenants'],
      ['POST', '/api/v1/tenants'],
      ['DELETE', '/api/v1/tenants/team-b'],
      ['GET', '/api/v1/admin/dead-letters'],
      ['POST', '/api/v1/vulndb/sync'],
    ]) {
      const answer = await teamAdmin.request<{ code: string }>(method, path, method === 'POST' ? { id: 'team-c', name: 'c' } : undefined);
      expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({ method, path, status: 403, code: 'forbidden' });
    }
    expect((await operator.get<{ items: { id: string }[] }>('/api/v1/tenants')).body.items.map((tenant) => tenant.id)).toEqual(
      expect.arrayContaining(['team-a', 'team-b']),
    );
    expect((await teamAdmin.get<{ scope: string }>('/api/v1/scheduler/status')).body.scope).toBe('tenant');
    expect((await operator.get<{ scope: string }>('/api/v1/scheduler/status')).body.scope).toBe('platform');
  });

  it("shows a tenant admin its own tenant's audit entries, the operator everyone's", async () => {
    await teamAdmin.post('/api/v1/scans', { image: 'Not Valid' });
    const own = await teamAdmin.get<{ items: { tenant_id: string | null; action: string }[] }>('/api/v1/audit?limit=500');
    expect(own.status).toBe(200);
    expect(own.body.items.length).toBeGreaterThan(0);
    expect(new Set(own.body.items.map((entry) => entry.tenant_id))).toEqual(new Set(['team-a']));
    expect((await teamAdmin.get('/api/v1/audit?tenant_id=default')).status).toBe(403);

    const all = await operator.get<{ items: { tenant_id: string | null }[] }>('/api/v1/audit?limit=500');
    expect(new Set(all.body.items.map((entry) => entry.tenant_id))).toEqual(new Set(['default', 'team-a']));
    const filtered = await operator.get<{ items: { tenant_id: string | null }[] }>('/api/v1/audit?tenant_id=team-a');
    expect(new Set(filtered.body.items.map((entry) => entry.tenant_id))).toEqual(new Set(['team-a']));
  });

  it("migrates old admin keys: the bootstrap tenant's become operator keys, other tenants' tenant admins", async () => {
    // As an installation from before the operator scope had them:
    await platform.query(`UPDATE gateway.api_keys SET scopes = array_remove(scopes, 'platform:admin')`);
    await platform.query(`DELETE FROM gateway.migrations WHERE name = 'OperatorScope1765000000001'`);
    await platform.migrate('gateway');
    const rows = await platform.query<{ tenant_id: string; name: string; scopes: string[] }>(
      `SELECT tenant_id, name, scopes FROM gateway.api_keys WHERE 'admin' = ANY (scopes) ORDER BY tenant_id, name`,
    );
    expect(rows).toEqual([
      { tenant_id: 'default', name: 'bootstrap', scopes: ['scans:read', 'scans:write', 'admin', 'platform:admin'] },
      { tenant_id: 'team-a', name: 'team-a-admin', scopes: ['admin'] },
    ]);
  });

  it('keeps a revoked bootstrap key revoked across restarts', async () => {
    const spare = await operator.post<KeyView>('/api/v1/api-keys', { name: 'second operator', scopes: ['platform:admin'] });
    expect(spare.status).toBe(201);
    const operator2 = operator.withKey(spare.body.key!);
    const bootstrap = (await operator2.get<{ items: KeyView[] }>('/api/v1/api-keys?tenant_id=default')).body.items.find(
      (key) => key.name === 'bootstrap',
    );
    expect((await operator2.delete(`/api/v1/api-keys/${bootstrap!.id}`)).status).toBe(204);

    const gateway = platform.processes.find((service) => service.name === 'gateway')!;
    await gateway.stop();
    const restarted = new Api((await platform.start('gateway')).url, ADMIN_KEY);
    expect((await restarted.get('/api/v1/scans')).status).toBe(401);
    expect((await restarted.withKey(spare.body.key!).get('/api/v1/tenants')).status).toBe(200);
    expect(readFileSync(platform.processes[platform.processes.length - 1].logFile, 'utf8')).toContain('stays revoked');
  });

  it.each([
    ['gateway', 'BOOTSTRAP_API_KEY', 'is a placeholder', 'CHANGE-ME-to-a-long-random-admin-key'],
    ['gateway', 'BOOTSTRAP_API_KEY', 'needs 32 random bytes', 'short-admin-key-1234'],
    ['security-status', 'WEBHOOK_ENCRYPTION_KEY', 'needs 32 random bytes', 'ab'.repeat(32)],
  ] as const)('refuses to start the %s when %s %s, naming it and not its value', async (service, variable, reason, value) => {
    const started = await platform.start(service, { [variable]: value }, { waitReady: false });
    expect(await started.exited).not.toBe(0);
    const log = readFileSync(started.logFile, 'utf8');
    expect(log).toContain(`${variable}: `);
    expect(log).toContain(reason);
    expect(log).not.toContain(value);
  });
});
