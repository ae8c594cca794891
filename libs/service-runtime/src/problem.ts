import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import type { Response } from 'express';
import { Correlation } from '@vulnscan/observability';

/** An API error with a stable machine-readable code, rendered as application/problem+json. */
export class ApiError extends HttpException {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail, statusCode);
  }
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Rejects unknown body fields and names every bad field in the 400 answer. */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const problems = flatten(errors);
      const fields = [...new Set(problems.map((problem) => problem.field))];
      return new ApiError(400, 'invalid_request', problems.map((p) => p.message).join('; ') || 'invalid request', {
        fields,
        errors: problems,
      });
    },
  });
}

/** An http-errors error meant for the client (`expose`), as express's body parser throws them. */
function isClientHttpError(error: unknown): error is { status: number; message: string; type?: string; limit?: number } {
  if (typeof error !== 'object' || error === null) return false;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500;
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const correlationId = Correlation.current()?.correlationId;
    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let code = 'internal';
    let detail = 'An unexpected error occurred.';
    let extra: Record<string, unknown> = {};
    let headers: Record<string, string> = {};
    if (exception instanceof ApiError) {
      ({ statusCode: status, code, detail, extra, headers } = exception);
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      code = DEFAULT_CODES[status] ?? (status >= 500 ? 'internal' : 'error');
      const body = exception.getResponse();
      const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
      detail = Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
      if (exception instanceof BadRequestException && /JSON/i.test(detail)) code = 'invalid_json';
    } else if (isClientHttpError(exception)) {
      // the body parser's own errors (http-errors): a body over the limit, a bad encoding
      status = exception.status;
      code = DEFAULT_CODES[status] ?? 'invalid_request';
      detail =
        exception.type === 'entity.too.large' ? `the request body is larger than the limit of ${exception.limit} bytes` : exception.message;
    }
    if (status >= 500 && !(exception instanceof ApiError)) {
      this.logger.error({ err: exception, correlationId }, `request failed: ${detail}`);
    } else if (status >= 500) {
      this.logger.warn({ code, correlationId }, detail);
    }
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response
      .status(status)
      .type('application/problem+json')
      .json({ type: 'about:blank', title: HttpStatus[status] ?? 'Error', status, code, detail, correlationId, ...extra });
  }
}
