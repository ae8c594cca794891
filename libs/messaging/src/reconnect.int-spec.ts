import { Controller, INestApplication, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Events, MessageEnvelope, ScanRequestedPayload, ScanTrigger } from '@vulnscan/contracts';
import { connect } from 'amqplib';
import { v7 as uuidv7 } from 'uuid';
import { AmqpConnection, Inbox, Outbox, TopologyNames } from './index';
import { destroyBrokerSocket } from './test-support/crash';
import { AMQP_URL, cleanUp, createSchema, dataSourceOf, sql, startTestApp, uniqueScope, waitFor } from './test-support/messaging-test-app';

const SERVICE = 'stream';
const scope = uniqueScope('reconnect');
const TOTAL = 300;

class Counter {
  deliveries = 0;
}

@Controller()
class StreamHandler {
  constructor(
    @Inject(Counter) private readonly counter: Counter,
    private readonly inbox: Inbox,
  ) {}

  @EventPattern(Events.ScanRequested)
  async handle(@Payload() envelope: MessageEnvelope<ScanRequestedPayload>): Promise<void> {
    this.counter.deliveries += 1;
    await this.inbox.runOnce(SERVICE, envelope, (manager) =>
      manager.query(`INSERT INTO "${scope.schema}".effects (request_id) VALUES ($1)`, [envelope.payload.requestId]),
    );
  }
}

describe('broker connection lost mid-stream (real RabbitMQ and Postgres)', () => {
  const counter = new Counter();
  let app: INestApplication;

  beforeAll(async () => {
    await createSchema(scope);
    await sql(`CREATE TABLE "${scope.schema}".effects (request_id uuid NOT NULL)`);
    app = await startTestApp({
      scope,
      options: { service: SERVICE },
      controllers: [StreamHandler],
      providers: [{ provide: Counter, useValue: counter }],
    });
  });

  afterAll(async () => {
    await app?.close();
    await cleanUp(scope, [SERVICE]);
  });

  it('reconnects, re-declares its topology, keeps consuming and loses nothing', async () => {
    const names = new TopologyNames({ prefix: scope.prefix, service: SERVICE });
    const requestIds = Array.from({ length: TOTAL }, () => uuidv7());
    const outbox = app.get(Outbox);
    const produce = (async () => {
      for (let i = 0; i < TOTAL; i += 10) {
        await dataSourceOf(app).transaction((manager) =>
          outbox.addMany(
            manager,
            requestIds.slice(i, i + 10).map((requestId) => ({
              type: Events.ScanRequested,
              payload: { requestId, image: 'docker.io/library/alpine:3.20', trigger: ScanTrigger.Api },
            })),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    await waitFor(
      'the stream to be flowing',
      async () => Number((await sql(`SELECT count(*)::int AS n FROM "${scope.schema}".effects`))[0].n) >= 50,
    );
    destroyBrokerSocket(app);
    // While it is down, remove part of its topology: the reconnect must declare it again.
    const admin = await connect(AMQP_URL);
    const channel = await admin.createChannel();
    await channel.deleteQueue(names.retryQueue(names.serviceQueue, 1));
    await produce;

    const effects = await waitFor(
      'every event handled',
      async () => {
        const rows = await sql(`SELECT request_id FROM "${scope.schema}".effects`);
        return rows.length >= TOTAL && rows;
      },
      30_000,
    );
    expect(effects).toHaveLength(TOTAL);
    expect(new Set(effects.map((row) => row.request_id))).toEqual(new Set(requestIds));
    // At-least-once below, exactly-once effects above: redeliveries are possible, never required.
    expect(counter.deliveries).toBeGreaterThanOrEqual(TOTAL);
    expect(app.get(AmqpConnection).isConnected()).toBe(true);
    await expect(channel.checkQueue(names.retryQueue(names.serviceQueue, 1))).resolves.toMatchObject({ messageCount: 0 });
    await admin.close();

    const after = uuidv7();
    await dataSourceOf(app).transaction((manager) =>
      outbox.add(manager, {
        type: Events.ScanRequested,
        payload: { requestId: after, image: 'docker.io/library/alpine:3.20', trigger: ScanTrigger.Api },
      }),
    );
    await waitFor(
      'an event after the reconnect',
      async () => (await sql(`SELECT 1 FROM "${scope.schema}".effects WHERE request_id = $1`, [after])).length === 1,
    );
  });
});
