import { Controller, INestApplication, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, CreateScanCommand, CreateScanReply, MessageEnvelope, ScanErrorCode, ScanTrigger } from '@vulnscan/contracts';
import { Correlation, CorrelationContext } from '@vulnscan/observability';
import { connect } from 'amqplib';
import { v7 as uuidv7 } from 'uuid';
import { AmqpRequester, CommandFailedError, CommandRejectedError, RequestTimeoutError } from './index';
import { AMQP_URL, cleanUp, createSchema, startTestApp, uniqueScope, waitFor } from './test-support/messaging-test-app';

const scope = uniqueScope('reqrep');

class Seen {
  readonly commands: Array<{ envelope: MessageEnvelope<CreateScanCommand>; correlation?: CorrelationContext }> = [];
}

@Controller()
class CreateScanHandler {
  constructor(@Inject(Seen) private readonly seen: Seen) {}

  @MessagePattern(Commands.CreateScan)
  async create(@Payload() envelope: MessageEnvelope<CreateScanCommand>): Promise<CreateScanReply> {
    this.seen.commands.push({ envelope, correlation: Correlation.current() });
    if (envelope.payload.image.includes('forbidden')) {
      throw new CommandRejectedError(ScanErrorCode.HostNotAllowed, `${envelope.payload.image} is not allowed`);
    }
    if (envelope.payload.image.includes('crash')) throw new Error('database exploded');
    return { scanId: '0190f0a0-0000-7000-8000-0000000000aa', status: 'queued', deduplicated: false };
  }
}

const createScan = (image: string) => ({ tenantId: 'acme', image, trigger: ScanTrigger.Api });

describe('request/reply over direct reply-to (real RabbitMQ)', () => {
  const seen = new Seen();
  let scheduler: INestApplication;
  let gateway: INestApplication;

  beforeAll(async () => {
    await createSchema(scope);
    scheduler = await startTestApp({
      scope,
      options: { service: 'scheduler', relayEnabled: false },
      controllers: [CreateScanHandler],
      providers: [{ provide: Seen, useValue: seen }],
    });
    gateway = await startTestApp({ scope, options: { service: 'gateway', relayEnabled: false } });
  });

  afterAll(async () => {
    await gateway?.close();
    await scheduler?.close();
    await cleanUp(scope, ['scheduler', 'gateway']);
  });

  const requester = () => gateway.get(AmqpRequester);

  it('answers a command with the handler result and carries correlation and tenant', async () => {
    const reply = await Correlation.run({ correlationId: 'http-req-1' }, () =>
      requester().request(Commands.CreateScan, createScan('docker.io/library/alpine:3.20'), { tenantId: 'acme' }),
    );
    expect(reply).toEqual({ scanId: '0190f0a0-0000-7000-8000-0000000000aa', status: 'queued', deduplicated: false });
    const last = seen.commands[seen.commands.length - 1];
    expect(last.envelope).toMatchObject({ type: Commands.CreateScan, correlationId: 'http-req-1', tenantId: 'acme' });
    expect(last.correlation).toEqual({ correlationId: 'http-req-1', causationId: last.envelope.id, tenantId: 'acme' });
  });

  it('serves concurrent requests, each with its own reply', async () => {
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => requester().request(Commands.CreateScan, createScan(`docker.io/library/app:${i}`))),
    );
    expect(replies).toHaveLength(20);
  });

  it('turns a CommandRejectedError into a CommandFailedError with its code', async () => {
    const failing = requester().request(Commands.CreateScan, createScan('forbidden.example.com/x:1'));
    await expect(failing).rejects.toBeInstanceOf(CommandFailedError);
    await expect(failing).rejects.toMatchObject({
      code: 'host_not_allowed',
      message: 'forbidden.example.com/x:1 is not allowed',
    });
  });

  it('answers an unexpected handler error as internal without leaking it, and does not retry', async () => {
    const before = seen.commands.length;
    const failing = requester().request(Commands.CreateScan, createScan('docker.io/library/crash:1'));
    await expect(failing).rejects.toMatchObject({ code: 'internal' });
    await expect(failing).rejects.not.toMatchObject({ message: expect.stringContaining('exploded') });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.commands.length).toBe(before + 1);
  });

  it('fails fast when no service consumes the command', async () => {
    const started = Date.now();
    const failing = requester().request(Commands.CancelScan, { tenantId: 'acme', scanId: uuidv7() }, { timeoutMs: 5000 });
    await expect(failing).rejects.toMatchObject({ code: 'unroutable' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('times out cleanly when nobody answers, and the command expires unprocessed in its queue', async () => {
    const model = await connect(AMQP_URL);
    const channel = await model.createChannel();
    const silentQueue = `${scope.prefix}.silent`;
    await channel.assertQueue(silentQueue, { durable: false, autoDelete: false, arguments: { 'x-queue-type': 'classic' } });
    await channel.bindQueue(silentQueue, `${scope.prefix}.events`, Commands.CancelScan);
    try {
      const started = Date.now();
      const waiting = requester().request(Commands.CancelScan, { tenantId: 'acme', scanId: uuidv7() }, { timeoutMs: 300 });
      await expect(waiting).rejects.toBeInstanceOf(RequestTimeoutError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(295);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await channel.get(silentQueue)).toBe(false);
    } finally {
      await channel.deleteQueue(silentQueue);
      await model.close();
    }
  });

  it('does not run a command whose deadline has passed', async () => {
    const model = await connect(AMQP_URL);
    const channel = await model.createChannel();
    const replies: unknown[] = [];
    await channel.consume('amq.rabbitmq.reply-to', (message) => message && replies.push(message.content.toString()), { noAck: true });
    const before = seen.commands.length;
    const envelope = {
      id: uuidv7(),
      type: Commands.CreateScan,
      version: 1,
      occurredAt: new Date(Date.now() - 10_000).toISOString(),
      correlationId: 'late',
      payload: createScan('docker.io/library/late:1'),
    };
    channel.publish(`${scope.prefix}.events`, Commands.CreateScan, Buffer.from(JSON.stringify(envelope)), {
      replyTo: 'amq.rabbitmq.reply-to',
      correlationId: envelope.id,
      headers: { 'x-deadline': Date.now() - 5_000 },
    });
    // A command published right after it is still processed: the late one was skipped, not stuck.
    const onTime = requester().request(Commands.CreateScan, createScan('docker.io/library/on-time:1'));
    await expect(onTime).resolves.toMatchObject({ status: 'queued' });
    await waitFor('the on-time command', () => seen.commands.length === before + 1);
    expect(seen.commands.map((c) => c.envelope.id)).not.toContain(envelope.id);
    expect(replies).toEqual([]);
    await model.close();
  });
});
