import { Controller, INestApplication, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SpanKind, trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { Events, MessageEnvelope, ScanRequestedPayload, ScanTrigger } from '@vulnscan/contracts';
import { v7 as uuidv7 } from 'uuid';
import { Outbox } from './index';
import { cleanUp, createSchema, dataSourceOf, startTestApp, uniqueScope, waitFor } from './test-support/messaging-test-app';

const scope = uniqueScope('tracing');
const exporter = new tracing.InMemorySpanExporter();
// Registers the AsyncLocalStorage context manager and the W3C propagator, as the services' SDK does.
new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] }).register();

class Seen {
  readonly handled: Array<{ envelope: MessageEnvelope<ScanRequestedPayload>; traceId?: string; spanId?: string }> = [];
}

@Controller()
class TracedHandler {
  constructor(@Inject(Seen) private readonly seen: Seen) {}

  @EventPattern(Events.ScanRequested)
  handle(@Payload() envelope: MessageEnvelope<ScanRequestedPayload>): void {
    const active = trace.getActiveSpan()?.spanContext();
    this.seen.handled.push({ envelope, traceId: active?.traceId, spanId: active?.spanId });
  }
}

describe('trace context across the outbox (real Postgres and RabbitMQ)', () => {
  const seen = new Seen();
  let app: INestApplication;

  beforeAll(async () => {
    await createSchema(scope);
    app = await startTestApp({
      scope,
      options: { service: 'traced' },
      controllers: [TracedHandler],
      providers: [{ provide: Seen, useValue: seen }],
    });
  });

  afterAll(async () => {
    await app?.close();
    await cleanUp(scope, ['traced']);
  });

  it('continues the producer trace in a consumer span named after the wire name', async () => {
    const requestId = uuidv7();
    await trace.getTracer('test').startActiveSpan('POST /api/v1/scans', async (span) => {
      await dataSourceOf(app).transaction((manager) =>
        app.get(Outbox).add(manager, {
          type: Events.ScanRequested,
          payload: { requestId, image: 'docker.io/library/alpine:3.20', trigger: ScanTrigger.Api },
        }),
      );
      span.end();
    });
    const [handled] = await waitFor('the traced event', () => seen.handled.length === 1 && seen.handled);
    const producerSpan = exporter
      .getFinishedSpans()
      .find((span) => span.name === 'POST /api/v1/scans' && span.spanContext().traceId === handled.traceId);
    expect(producerSpan).toBeDefined();
    expect(handled.envelope.traceparent).toBe(`00-${producerSpan!.spanContext().traceId}-${producerSpan!.spanContext().spanId}-01`);
    const consumerSpan = await waitFor('the consumer span', () =>
      exporter.getFinishedSpans().find((span) => span.name === Events.ScanRequested),
    );
    expect(consumerSpan.kind).toBe(SpanKind.CONSUMER);
    expect(consumerSpan.spanContext()).toMatchObject({ traceId: handled.traceId, spanId: handled.spanId });
    expect(consumerSpan.parentSpanContext?.spanId).toBe(producerSpan!.spanContext().spanId);
    expect(consumerSpan.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.message.id': handled.envelope.id,
      'messaging.attempt': 1,
    });
  });
});
