import 'reflect-metadata';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { Events, parseMessage, ScanTrigger } from '@vulnscan/contracts';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { activeTraceparent, contextFromTraceparent } from '../tracing/trace-context';
import { buildEnvelope, ENVELOPE_VERSION } from './build-envelope';

const payload = { requestId: '0190f0a0-0000-7000-8000-000000000001', image: 'docker.io/library/alpine:3.20', trigger: ScanTrigger.Api };
const now = new Date('2025-11-25T10:00:00.000Z');

describe('buildEnvelope', () => {
  it('fills id (UUIDv7), version, occurredAt and starts a new correlation chain', () => {
    const envelope = buildEnvelope({ type: Events.ScanRequested, payload }, { now });
    expect(isUuid(envelope.id)).toBe(true);
    expect(uuidVersion(envelope.id)).toBe(7);
    expect(envelope).toMatchObject({
      type: 'scan.requested.v1',
      version: ENVELOPE_VERSION,
      occurredAt: '2025-11-25T10:00:00.000Z',
      correlationId: envelope.id,
      payload,
    });
    expect(envelope.causationId).toBeUndefined();
    expect(envelope.tenantId).toBeUndefined();
    expect(envelope.traceparent).toBeUndefined();
  });

  it('takes correlation and causation from the ambient context', () => {
    const envelope = buildEnvelope(
      { type: Events.ScanRequested, payload, tenantId: 'acme' },
      { now, correlation: { correlationId: 'req-42', causationId: 'msg-1', tenantId: 'other' } },
    );
    expect(envelope).toMatchObject({ correlationId: 'req-42', causationId: 'msg-1', tenantId: 'acme' });
  });

  it('lets explicit ids win over the ambient context', () => {
    const envelope = buildEnvelope(
      { type: Events.ScanRequested, payload, correlationId: 'mine', causationId: 'cause' },
      { correlation: { correlationId: 'req-42', causationId: 'msg-1' } },
    );
    expect(envelope).toMatchObject({ correlationId: 'mine', causationId: 'cause' });
  });

  it('gives ids that sort in creation order', () => {
    const ids = Array.from({ length: 50 }, () => buildEnvelope({ type: Events.ScanRequested, payload }).id);
    expect([...ids].sort()).toEqual(ids);
  });

  it('carries the W3C traceparent of the active span and round-trips it', () => {
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
    const traceparent = activeTraceparent(trace.setSpanContext(ROOT_CONTEXT, spanContext));
    expect(traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    const envelope = buildEnvelope({ type: Events.ScanRequested, payload }, { traceparent });
    expect(trace.getSpanContext(contextFromTraceparent(envelope.traceparent))).toMatchObject({ ...spanContext, isRemote: true });
  });

  it('has no traceparent without an active span', () => {
    expect(activeTraceparent(ROOT_CONTEXT)).toBeUndefined();
  });

  it('produces an envelope that passes the consumer-side validation', () => {
    const envelope = buildEnvelope(
      { type: Events.ScanRequested, payload, tenantId: 'acme' },
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    );
    const parsed = parseMessage(Events.ScanRequested, JSON.stringify(envelope));
    expect(parsed.id).toBe(envelope.id);
    expect(parsed.payload).toEqual(payload);
  });
});
