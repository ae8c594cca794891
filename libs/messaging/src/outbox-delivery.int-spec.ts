import { Controller, INestApplication, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Events, MessageEnvelope, ScanRequestedPayload, ScanTrigger } from '@vulnscan/contracts';
import { connect } from 'amqplib';
import { register } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { Inbox, Outbox, OutboxRelay } from './index';
import { AMQP_URL, cleanUp, createSchema, dataSourceOf, sql, startTestApp, uniqueScope, waitFor } from './test-support/messaging-test-app';

const SERVICE = 'delivery';
const scope = uniqueScope('delivery');

interface Received {
  envelope: MessageEnvelope<ScanRequestedPayload>;
  at: number;
}

class Recorder {
  readonly received: Received[] = [];
  readonly handledOnce: string[] = [];
  byRequest(requestId: string): Received[] {
    return this.received.filter((r) => r.envelope.payload.requestId === requestId);
  }
}

@Controller()
class ScanRequestedHandler {
  constructor(
    @Inject(Recorder) private readonly recorder: Recorder,
    private readonly inbox: Inbox,
  ) {}

  @EventPattern(Events.ScanRequested)
  async onScanRequested(@Payload() envelope: MessageEnvelope<ScanRequestedPayload>): Promise<void> {
    this.recorder.received.push({ envelope, at: Date.now() });
    await this.inbox.runOnce('test-consumer', envelope, async (manager) => {
      await manager.query(`INSERT INTO "${scope.schema}".effects (message_id) VALUES ($1)`, [envelope.id]);
      this.recorder.handledOnce.push(envelope.id);
    });
  }
}

function scanRequested(requestId = uuidv7()) {
  return {
    type: Events.ScanRequested,
    payload: { requestId, image: 'docker.io/library/alpine:3.20', trigger: ScanTrigger.Api },
    tenantId: 'acme',
  };
}

describe('outbox → relay → transport (real Postgres and RabbitMQ)', () => {
  const recorder = new Recorder();
  let app: INestApplication;

  beforeAll(async () => {
    await createSchema(scope);
    await sql(`CREATE TABLE "${scope.schema}".effects (message_id uuid NOT NULL)`);
    app = await startTestApp({
      scope,
      options: { service: SERVICE, relayEnabled: false },
      controllers: [ScanRequestedHandler],
      providers: [{ provide: Recorder, useValue: recorder }],
    });
  });

  afterAll(async () => {
    await app?.close();
    await cleanUp(scope, [SERVICE]);
  });

  const add = async (message = scanRequested()) => {
    const envelope = await dataSourceOf(app).transaction((manager) => app.get(Outbox).add(manager, message));
    return envelope;
  };
  // The first test starts the relay itself; the others only need it running.
  const relayRunning = () => app.get(OutboxRelay).start();

  it('publishes rows committed while no relay ran once a relay starts', async () => {
    const requestIds = [uuidv7(), uuidv7(), uuidv7()];
    for (const id of requestIds) await add(scanRequested(id));
    const pending = await sql(`SELECT count(*)::int AS n FROM "${scope.schema}".outbox WHERE published_at IS NULL`);
    expect(pending[0].n).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(recorder.received).toHaveLength(0);

    await app.get(OutboxRelay).start();
    await waitFor('the three events', () => requestIds.every((id) => recorder.byRequest(id).length === 1));
    // Published in commit order (UUIDv7 ids).
    expect(recorder.received.map((r) => r.envelope.payload.requestId)).toEqual(requestIds);
    await waitFor(
      'rows marked published',
      async () => (await sql(`SELECT count(*)::int AS n FROM "${scope.schema}".outbox WHERE published_at IS NULL`))[0].n === 0,
    );
  });

  it('delivers a committed event to its handler within milliseconds', async () => {
    await relayRunning();
    const warmUp = uuidv7();
    await add(scanRequested(warmUp));
    await waitFor('warm-up', () => recorder.byRequest(warmUp).length === 1);
    const latencies: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const requestId = uuidv7();
      await add(scanRequested(requestId));
      const committedAt = Date.now();
      const [received] = await waitFor('event', () => recorder.byRequest(requestId).length === 1 && recorder.byRequest(requestId));
      latencies.push(received.at - committedAt);
      expect(received.envelope).toMatchObject({ type: Events.ScanRequested, version: 1, tenantId: 'acme' });
    }
    // Typically a few ms (LISTEN/NOTIFY wake-up, no polling); 100 ms leaves room for a loaded CI box.
    expect(Math.max(...latencies)).toBeLessThan(100);
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    await relayRunning();
    const requestId = uuidv7();
    await expect(
      dataSourceOf(app).transaction(async (manager) => {
        await app.get(Outbox).add(manager, scanRequested(requestId));
        throw new Error('business rule says no');
      }),
    ).rejects.toThrow('business rule says no');
    const marker = uuidv7();
    await add(scanRequested(marker));
    await waitFor('the marker event published after the rollback', () => recorder.byRequest(marker).length === 1);
    expect(recorder.byRequest(requestId)).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM "${scope.schema}".outbox WHERE envelope->'payload'->>'requestId' = $1`, [requestId])).toHaveLength(0);
  });

  it('refuses an outbox write outside a transaction and a payload that breaks its contract', async () => {
    await expect(app.get(Outbox).add(dataSourceOf(app).manager, scanRequested())).rejects.toThrow(/open transaction/);
    const broken = { type: Events.ScanRequested, payload: { requestId: 'not-a-uuid', image: 'x', trigger: ScanTrigger.Api } };
    await expect(dataSourceOf(app).transaction((manager) => app.get(Outbox).add(manager, broken))).rejects.toThrow(/requestId/);
  });

  it('handles the same message delivered twice only once (inbox)', async () => {
    await relayRunning();
    const envelope = await add();
    await waitFor('first delivery', () => recorder.handledOnce.includes(envelope.id));
    // The broker redelivering after a lost ack looks exactly like this second copy.
    const model = await connect(AMQP_URL);
    const channel = await model.createConfirmChannel();
    channel.publish(`${scope.prefix}.events`, Events.ScanRequested, Buffer.from(JSON.stringify(envelope)), { messageId: envelope.id });
    await channel.waitForConfirms();
    await model.close();
    await waitFor('second delivery', () => recorder.received.filter((r) => r.envelope.id === envelope.id).length === 2);
    expect(recorder.handledOnce.filter((id) => id === envelope.id)).toHaveLength(1);
    expect(await sql(`SELECT count(*)::int AS n FROM "${scope.schema}".effects WHERE message_id = $1`, [envelope.id])).toEqual([{ n: 1 }]);
  });

  it('accepts unknown extra fields in a payload (a newer producer during a rolling deploy)', async () => {
    const requestId = uuidv7();
    const envelope = {
      id: uuidv7(),
      type: Events.ScanRequested,
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: 'c-1',
      payload: { requestId, image: 'docker.io/library/alpine:3.20', trigger: 'api', addedInV2: { anything: true } },
    };
    const model = await connect(AMQP_URL);
    const channel = await model.createConfirmChannel();
    channel.publish(`${scope.prefix}.events`, Events.ScanRequested, Buffer.from(JSON.stringify(envelope)));
    await channel.waitForConfirms();
    await model.close();
    const [received] = await waitFor(
      'the event with an extra field',
      () => recorder.byRequest(requestId).length === 1 && recorder.byRequest(requestId),
    );
    expect(received.envelope.payload).toMatchObject({ requestId, addedInV2: { anything: true } });
  });

  it('prunes published outbox rows and inbox rows past retention, and reports the backlog', async () => {
    await relayRunning();
    const old = await add();
    const fresh = await add();
    await waitFor('both handled', () => recorder.handledOnce.includes(old.id) && recorder.handledOnce.includes(fresh.id));
    await waitFor(
      'both marked published',
      async () =>
        (
          await sql(`SELECT count(*)::int AS n FROM "${scope.schema}".outbox WHERE id = ANY($1::uuid[]) AND published_at IS NOT NULL`, [
            [old.id, fresh.id],
          ])
        )[0].n === 2,
    );
    await sql(`UPDATE "${scope.schema}".outbox SET published_at = now() - interval '200 hours' WHERE id = $1`, [old.id]);
    await sql(`UPDATE "${scope.schema}".inbox SET received_at = now() - interval '200 hours' WHERE message_id = $1`, [old.id]);
    await app.get(OutboxRelay).prune();
    expect(await sql(`SELECT id FROM "${scope.schema}".outbox WHERE id = ANY($1::uuid[])`, [[old.id, fresh.id]])).toEqual([
      { id: fresh.id },
    ]);
    expect(await sql(`SELECT message_id FROM "${scope.schema}".inbox WHERE message_id = ANY($1::uuid[])`, [[old.id, fresh.id]])).toEqual([
      { message_id: fresh.id },
    ]);
    const pending = await register.getSingleMetric('outbox_pending')?.get();
    expect(pending?.values.find((value) => value.labels.schema === scope.schema)?.value).toBe(0);
  });
});
