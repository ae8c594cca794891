import { Controller, INestApplication, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  BlobDownloadedPayload,
  Commands,
  Events,
  ManifestCachedPayload,
  MessageEnvelope,
  ScanRequestedPayload,
  ScanTrigger,
} from '@vulnscan/contracts';
import { connect } from 'amqplib';
import { v7 as uuidv7 } from 'uuid';
import {
  AmqpContext,
  AmqpRequester,
  CommandFailedError,
  DeadLetters,
  deadLetterReplayRoutingKey,
  NonRetryableError,
  Outbox,
} from './index';
import { AMQP_URL, cleanUp, createSchema, dataSourceOf, startTestApp, uniqueScope, waitFor } from './test-support/messaging-test-app';

const SERVICE = 'retrying';
const MAX_ATTEMPTS = 3;
const scope = uniqueScope('retry');

/** The retry queue a redelivery waited in and the per-message TTL it waited (RabbitMQ's x-death). */
interface RetryHop {
  queue: string;
  expirationMs: number;
}

function retryHopOf(context: AmqpContext): RetryHop | undefined {
  const deaths = context.getMessage().properties.headers?.['x-death'] as Array<Record<string, unknown>> | undefined;
  const latest = deaths?.[0];
  return latest ? { queue: String(latest['queue']), expirationMs: Number(latest['original-expiration']) } : undefined;
}

class Calls {
  readonly attempts = new Map<string, Array<{ attempt: number; at: number; retriedVia?: RetryHop }>>();
  /** Requests that keep failing until a test repairs them. */
  readonly broken = new Set<string>();
  record(key: string, attempt: number, retriedVia?: RetryHop): number {
    const list = this.attempts.get(key) ?? [];
    list.push({ attempt, at: Date.now(), retriedVia });
    this.attempts.set(key, list);
    return list.length;
  }
}

@Controller()
class FlakyHandlers {
  constructor(@Inject(Calls) private readonly calls: Calls) {}

  /** Fails the first two deliveries of a request, unless the request is "broken" (fails forever). */
  @EventPattern(Events.ScanRequested)
  onScanRequested(@Payload() envelope: MessageEnvelope<ScanRequestedPayload>, @Ctx() context: AmqpContext): void {
    const key = envelope.payload.requestId;
    const count = this.calls.record(key, context.getAttempt(), retryHopOf(context));
    if (this.calls.broken.has(key)) throw new Error(`registry for ${key} is still down`);
    if (envelope.payload.image.includes('flaky') && count <= 2) throw new Error(`transient failure #${count}`);
  }

  @EventPattern(Events.BlobDownloaded)
  onBlobDownloaded(@Payload() envelope: MessageEnvelope<BlobDownloadedPayload>): void {
    this.calls.record(envelope.payload.digest, 1);
    throw new NonRetryableError(`blob ${envelope.payload.digest} belongs to no manifest`);
  }

  @EventPattern(Events.ManifestCached)
  onManifestCached(@Payload() envelope: MessageEnvelope<ManifestCachedPayload>): void {
    this.calls.record(envelope.payload.digest, 1);
  }
}

const request = (requestId: string, image: string) => ({
  type: Events.ScanRequested,
  payload: { requestId, image, trigger: ScanTrigger.Api },
});

describe('retries and dead letters (real Postgres and RabbitMQ)', () => {
  const calls = new Calls();
  let app: INestApplication;

  beforeAll(async () => {
    await createSchema(scope);
    app = await startTestApp({
      scope,
      options: { service: SERVICE, maxAttempts: MAX_ATTEMPTS, retryBaseDelayMs: 100 },
      controllers: [FlakyHandlers],
      providers: [{ provide: Calls, useValue: calls }],
    });
  });

  afterAll(async () => {
    await app?.close();
    await cleanUp(scope, [SERVICE], [], MAX_ATTEMPTS);
  });

  const publish = (message: ReturnType<typeof request> | { type: typeof Events.BlobDownloaded; payload: BlobDownloadedPayload }) =>
    dataSourceOf(app).transaction((manager) => app.get(Outbox).add(manager, message));
  const deadLetterOf = (predicate: (body: string) => boolean) =>
    waitFor('a dead letter', async () => (await app.get(DeadLetters).list({ limit: 100 })).items.find((item) => predicate(item.body)));

  it('retries a failing handler with backoff until it succeeds', async () => {
    const requestId = uuidv7();
    await publish(request(requestId, 'registry.example.com/flaky:1'));
    const attempts = await waitFor('three attempts', () =>
      calls.attempts.get(requestId)?.length === 3 ? calls.attempts.get(requestId) : undefined,
    );
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Backoff: full jitter in [1, base·2^(n-1)] as the retry queue's per-message TTL, and the
    // redelivery waited (at least) that TTL in the level's own retry queue.
    const [, second, third] = attempts;
    expect(second.retriedVia?.queue).toBe(`${scope.prefix}.${SERVICE}.retry.1`);
    expect(third.retriedVia?.queue).toBe(`${scope.prefix}.${SERVICE}.retry.2`);
    expect(second.retriedVia?.expirationMs).toBeGreaterThanOrEqual(1);
    expect(second.retriedVia?.expirationMs).toBeLessThanOrEqual(100);
    expect(third.retriedVia?.expirationMs).toBeGreaterThanOrEqual(1);
    expect(third.retriedVia?.expirationMs).toBeLessThanOrEqual(200);
    expect(second.at - attempts[0].at).toBeGreaterThanOrEqual(second.retriedVia!.expirationMs - 5);
    expect(third.at - second.at).toBeGreaterThanOrEqual(third.retriedVia!.expirationMs - 5);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(calls.attempts.get(requestId)).toHaveLength(3);
    expect((await app.get(DeadLetters).list({ limit: 100 })).items.filter((item) => item.body.includes(requestId))).toHaveLength(0);
  });

  it('dead-letters a message that keeps failing after maxAttempts, with its error', async () => {
    const requestId = uuidv7();
    calls.broken.add(requestId);
    const envelope = await publish(request(requestId, 'registry.example.com/app:1'));
    const dead = await deadLetterOf((body) => body.includes(requestId));
    expect(calls.attempts.get(requestId)?.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(dead).toMatchObject({
      sourceQueue: `${scope.prefix}.${SERVICE}`,
      routingKey: Events.ScanRequested,
      messageId: envelope.id,
      reason: 'max_attempts',
      error: `registry for ${requestId} is still down`,
      attempts: MAX_ATTEMPTS,
      replayedAt: null,
    });
    expect(JSON.parse(dead.body)).toMatchObject({ id: envelope.id, payload: { requestId } });
    expect(dead.headers).toMatchObject({
      'x-dead-letter-reason': 'max_attempts',
      'x-dead-letter-error': `registry for ${requestId} is still down`,
      'x-source-queue': `${scope.prefix}.${SERVICE}`,
      'x-attempts': MAX_ATTEMPTS,
      'x-original-routing-key': Events.ScanRequested,
      'x-dead-letter-id': dead.id,
    });
    expect(Date.parse(String(dead.headers['x-first-failed-at']))).toBeLessThanOrEqual(dead.deadLetteredAt.getTime());
  });

  it('dead-letters a NonRetryableError at once', async () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    await publish({ type: Events.BlobDownloaded, payload: { digest, size: 10 } });
    const dead = await deadLetterOf((body) => body.includes(digest));
    expect(dead).toMatchObject({ reason: 'non_retryable', attempts: 1, error: `blob ${digest} belongs to no manifest` });
    expect(calls.attempts.get(digest)).toHaveLength(1);
  });

  it('dead-letters an invalid payload at once and keeps handling the next message', async () => {
    const model = await connect(AMQP_URL);
    const channel = await model.createConfirmChannel();
    const badId = uuidv7();
    const bad = {
      id: badId,
      type: Events.ManifestCached,
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: 'c',
      payload: { upstream: 'docker-hub', repository: 'library/alpine', digest: 'not a digest', mediaType: 'x' },
    };
    channel.publish(`${scope.prefix}.events`, Events.ManifestCached, Buffer.from(JSON.stringify(bad)), { messageId: badId });
    const goodDigest = `sha256:${'c'.repeat(64)}`;
    const good = { ...bad, id: uuidv7(), payload: { ...bad.payload, digest: goodDigest } };
    channel.publish(`${scope.prefix}.events`, Events.ManifestCached, Buffer.from(JSON.stringify(good)));
    await channel.waitForConfirms();
    await model.close();

    const dead = await deadLetterOf((body) => body.includes(badId));
    expect(dead).toMatchObject({ reason: 'invalid_payload', attempts: 1, routingKey: Events.ManifestCached, messageId: badId });
    expect(dead.error).toContain('manifest.cached.v1 payload: digest: digest "not a digest" must have the form algorithm:hex');
    await waitFor('the valid message', () => calls.attempts.get(goodDigest)?.length === 1);
    expect(calls.attempts.get('not a digest')).toBeUndefined();
  });

  it('replays a dead letter (directly and through the replay command) and lists with a cursor', async () => {
    const requestId = uuidv7();
    calls.broken.add(requestId);
    await publish(request(requestId, 'registry.example.com/app:2'));
    const dead = await deadLetterOf((body) => body.includes(requestId) && !body.includes('flaky'));
    calls.broken.delete(requestId);

    const requester = app.get(AmqpRequester);
    const answer = await requester.request(
      Commands.ReplayDeadLetter,
      { deadLetterId: dead.id },
      { routingKey: deadLetterReplayRoutingKey(SERVICE) },
    );
    expect(answer).toEqual({ replayed: true });
    const attempts = await waitFor('the replayed delivery', () =>
      calls.attempts.get(requestId)?.length === MAX_ATTEMPTS + 1 ? calls.attempts.get(requestId) : undefined,
    );
    // A replay is a fresh first attempt.
    expect(attempts[MAX_ATTEMPTS].attempt).toBe(1);
    const replayed = (await app.get(DeadLetters).list({ limit: 100 })).items.find((item) => item.id === dead.id);
    expect(replayed?.replayedAt).toBeInstanceOf(Date);

    await expect(app.get(DeadLetters).replay(dead.id)).resolves.toBe(true);
    await waitFor('the second replay', () => calls.attempts.get(requestId)?.length === MAX_ATTEMPTS + 2);

    const missing = requester.request(
      Commands.ReplayDeadLetter,
      { deadLetterId: uuidv7() },
      { routingKey: deadLetterReplayRoutingKey(SERVICE) },
    );
    await expect(missing).rejects.toBeInstanceOf(CommandFailedError);
    await expect(missing).rejects.toMatchObject({ code: 'not_found' });

    const all = (await app.get(DeadLetters).list({ limit: 100 })).items;
    const first = await app.get(DeadLetters).list({ limit: 2 });
    const second = await app.get(DeadLetters).list({ limit: 100, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((item) => item.id)).toEqual(all.map((item) => item.id));
    expect(all.map((item) => item.id)).toEqual([...all.map((item) => item.id)].sort().reverse());
    const across = await DeadLetters.readAll(dataSourceOf(app), [scope.schema], { limit: 100 });
    expect(across.items.map((item) => [item.id, item.schema])).toEqual(all.map((item) => [item.id, scope.schema]));
  });
});
