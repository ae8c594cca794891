import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, Observable, throwError } from 'rxjs';
import { InvalidCursorError } from '@vulnscan/persistence';
import { ApiError } from '@vulnscan/service-runtime';

/**
 * Every list answers a cursor it did not issue the same way: 400 `invalid_cursor` naming the
 * `cursor` field. Readers throw InvalidCursorError; this maps it once for all controllers. An
 * interceptor rather than an exception filter because the platform's catch-all problem filter is
 * registered last and would be found first.
 */
@Injectable()
export class InvalidCursorInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: unknown) => throwError(() => invalidCursorAsApiError(error))));
  }
}

/** The API's answer to an InvalidCursorError; any other error passes through unchanged. */
export function invalidCursorAsApiError(error: unknown): unknown {
  return error instanceof InvalidCursorError ? new ApiError(400, 'invalid_cursor', error.message, { fields: ['cursor'] }) : error;
}
