import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { OciError } from './oci-error';

/**
 * Errors of the /v2/ API in the Distribution spec's shape (`{"errors":[...]}`), which registry
 * clients parse, instead of the platform's problem+json. A failure after the body started (a
 * download that turned out wrong) can only cut the connection.
 */
@Catch()
export class OciErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('registry');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const error = toOciError(exception);
    // 504 is the expected answer to only-if-cached for content not held yet: not worth a warning.
    if (error.status >= 500 && error.status !== 504) {
      const log = exception instanceof OciError ? 'warn' : 'error';
      this.logger[log]({ err: exception instanceof OciError ? undefined : exception, code: error.code }, error.message);
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
    response.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.status(error.status).end(JSON.stringify(error.body()));
  }
}

function toOciError(exception: unknown): OciError {
  if (exception instanceof OciError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return new OciError(status, status === 404 ? 'NAME_UNKNOWN' : status === 405 ? 'UNSUPPORTED' : 'UNKNOWN', exception.message);
  }
  return new OciError(500, 'UNKNOWN', 'the cache failed unexpectedly; see its log');
}
