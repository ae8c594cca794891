import {
  Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * The envelope's `traceparent` is W3C by contract, so it is read and written with the W3C
 * propagator itself rather than whatever propagator the app registered globally (maybe B3).
 */
const w3c = new W3CTraceContextPropagator();
const tracer = trace.getTracer('@vulnscan/messaging');

/** The `traceparent` of the active span, when there is one. */
export function activeTraceparent(from: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  w3c.inject(from, carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

/** A context whose remote parent is the given `traceparent` (ROOT_CONTEXT when absent or malformed). */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return w3c.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

/** Runs `fn` in a consumer span named after the wire name, child of the producer's trace. */
export function withConsumerSpan<T>(
  name: string,
  traceparent: string | undefined,
  attributes: Record<string, string | number>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, contextFromTraceparent(traceparent), async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
