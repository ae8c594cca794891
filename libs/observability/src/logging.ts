import { trace } from '@opentelemetry/api';
import type { Params } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Correlation } from './correlation';

export const CORRELATION_HEADER = 'x-correlation-id';

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  const single = Array.isArray(value) ? value[0] : value;
  return single && /^[\w.:-]{1,200}$/.test(single) ? single : undefined;
}

export function correlationIdOf(request: IncomingMessage): string {
  return headerValue(request, CORRELATION_HEADER) ?? headerValue(request, 'x-request-id') ?? randomUUID();
}

/** Fields added to every log line: where in a scan's story this line belongs. */
function logContext(): Record<string, string> {
  const fields: Record<string, string> = {};
  const context = Correlation.current();
  if (context?.correlationId) fields.correlationId = context.correlationId;
  if (context?.tenantId) fields.tenantId = context.tenantId;
  const span = trace.getActiveSpan()?.spanContext();
  if (span) {
    fields.traceId = span.traceId;
    fields.spanId = span.spanId;
  }
  return fields;
}

/** JSON logs (pino) with correlation and trace ids; secrets never printed. */
export function loggerParams(service: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      messageKey: 'message',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label: string) => ({ level: label }) },
      mixin: logContext,
      genReqId: (request: IncomingMessage) => correlationIdOf(request),
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
      autoLogging: { ignore: (request: IncomingMessage) => /^\/(health|metrics|api\/v1\/health)(\/|\?|$)/.test(request.url ?? '') },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (request: { method?: string; url?: string; id?: string }) => ({ method: request.method, url: request.url, id: request.id }),
        res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
      },
    },
  };
}
