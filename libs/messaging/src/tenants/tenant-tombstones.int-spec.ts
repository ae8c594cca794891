import { INestApplication } from '@nestjs/common';
import { Events } from '@vulnscan/contracts';
import { v7 as uuidv7 } from 'uuid';
import { Inbox, TenantTombstones } from '../index';
import { cleanUp, createSchema, dataSourceOf, sql, startTestApp, uniqueScope } from '../test-support/messaging-test-app';

const SERVICE = 'tombstones';
const scope = uniqueScope('tombstones');

const DELETED_AT = '2026-12-08T10:00:00.000Z';
const QUIET_UNTIL = '2026-12-08T10:05:00.000Z';
const deletion = (incarnation = 1) => ({ tenantId: 'team-a', incarnation, deletedAt: DELETED_AT, quietUntil: QUIET_UNTIL });
const message = (tenantId: string | undefined, occurredAt: string, type: string = Events.ScanRequested) => ({
  id: uuidv7(),
  type,
  tenantId,
  occurredAt,
});

/** Tombstones and the inbox against real Postgres: which messages of a deleted tenant are dropped, and the lock that orders them. */
describe('tenant tombstones', () => {
  let app: INestApplication;
  let inbox: Inbox;
  let tombstones: TenantTombstones;
  const effects: string[] = [];

  beforeAll(async () => {
    await createSchema(scope);
    app = await startTestApp({ scope, options: { service: SERVICE, relayEnabled: false } });
    inbox = app.get(Inbox);
    tombstones = app.get(TenantTombstones);
    await dataSourceOf(app).transaction((manager) => tombstones.record(manager, deletion()));
  });

  afterAll(async () => {
    await app?.close();
    await cleanUp(scope, [SERVICE]);
  });

  const handle = (envelope: ReturnType<typeof message>) =>
    inbox.runOnce('consumer', envelope, async () => {
      effects.push(envelope.id);
      return 'handled';
    });
  const inboxed = async (id: string) => (await sql(`SELECT 1 FROM "${scope.schema}".inbox WHERE message_id = $1`, [id])).length;

  it("drops a message of the tenant that occurred before the quiet period's end, recording it as handled", async () => {
    for (const occurredAt of ['2026-12-08T09:00:00.000Z', DELETED_AT, '2026-12-08T10:04:59.999Z']) {
      const late = message('team-a', occurredAt);
      expect(await handle(late)).toEqual({ duplicate: false, dropped: true });
      expect(effects).not.toContain(late.id);
      expect(await inboxed(late.id)).toBe(1);
      expect(await handle(late)).toEqual({ duplicate: true });
    }
  });

  it("handles the next incarnation's messages, other tenants', tenantless ones and TenantDeleted itself", async () => {
    const passing = [
      message('team-a', QUIET_UNTIL),
      message('team-b', DELETED_AT),
      message(undefined, DELETED_AT),
      message('team-a', DELETED_AT, Events.TenantDeleted),
    ];
    for (const envelope of passing) expect(await handle(envelope)).toEqual({ duplicate: false, result: 'handled' });
    expect(effects).toEqual(passing.map((envelope) => envelope.id));
  });

  it("refuses a command sent to the deleted incarnation with tenant_deleted, and lets the next incarnation's through", async () => {
    const refuse = (command: ReturnType<typeof message>) =>
      dataSourceOf(app).transaction((manager) => tombstones.refuseForDeletedIncarnation(manager, command));
    await expect(refuse(message('team-a', DELETED_AT, 'command.registry-credential.put.v1'))).rejects.toMatchObject({
      code: 'tenant_deleted',
    });
    await expect(refuse(message('team-a', QUIET_UNTIL, 'command.registry-credential.put.v1'))).resolves.toBeUndefined();
  });

  it('keeps the latest incarnation: a redelivered or older deletion changes nothing', async () => {
    await dataSourceOf(app).transaction((manager) =>
      tombstones.record(manager, { ...deletion(2), quietUntil: '2026-12-09T00:00:00.000Z' }),
    );
    await dataSourceOf(app).transaction((manager) => tombstones.record(manager, deletion(1)));
    const rows = await sql(`SELECT incarnation, quiet_until FROM "${scope.schema}".tenant_tombstones WHERE tenant_id = 'team-a'`);
    expect(rows).toEqual([{ incarnation: 2, quiet_until: new Date('2026-12-09T00:00:00.000Z') }]);
  });

  it('makes a deletion wait for a handler of the tenant that passed the check, so it never removes rows before that commits', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const inFlight = inbox.runOnce('consumer', message('team-c', DELETED_AT), () => held);
    await new Promise((resolve) => setTimeout(resolve, 200));
    let recorded = false;
    const recording = dataSourceOf(app)
      .transaction((manager) => tombstones.record(manager, { ...deletion(1), tenantId: 'team-c' }))
      .then(() => (recorded = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(recorded).toBe(false);
    release();
    await inFlight;
    await recording;
    expect(recorded).toBe(true);
  });
});
