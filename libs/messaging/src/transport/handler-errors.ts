import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { PATTERN_METADATA, TRANSPORT_METADATA } from '@nestjs/microservices/constants';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC exception handling turns every error that is not an RpcException into
 * `{ status: 'error', message: 'Internal server error' }`. The transport needs the real error to
 * decide between retry, dead-letter and a business answer, so message handlers rethrow it as is.
 */
@Catch()
export class MessageHandlerErrorPassthrough implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

const passthrough = new MessageHandlerErrorPassthrough();

/**
 * Puts the passthrough filter on every `@EventPattern` / `@MessagePattern` method of the app's
 * controllers. It has to happen when providers are created: a hybrid app builds its handler
 * proxies (and their filters) in `connectMicroservice`, before any lifecycle hook runs. It goes
 * first in the method's list, so filters the developer put on the method still take precedence.
 */
export function exposeHandlerErrors(modules: ModulesContainer): void {
  for (const moduleRef of modules.values()) {
    for (const wrapper of moduleRef.controllers.values()) {
      for (const method of patternMethods(wrapper.metatype?.prototype)) {
        const filters: unknown[] = Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, method) ?? [];
        if (filters.includes(passthrough)) continue;
        Reflect.defineMetadata(EXCEPTION_FILTERS_METADATA, [passthrough, ...filters], method);
      }
    }
  }
}

/** Pattern handler methods of a controller class, inherited ones included (as Nest finds them). */
function patternMethods(prototype: unknown): Set<object> {
  const methods = new Set<object>();
  for (let proto = prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const method: unknown = Object.getOwnPropertyDescriptor(proto, key)?.value;
      if (key === 'constructor' || typeof method !== 'function') continue;
      // Handlers pinned to another transport (`@EventPattern(p, Transport.X)`) are left alone.
      if (Reflect.getMetadata(PATTERN_METADATA, method) && Reflect.getMetadata(TRANSPORT_METADATA, method) === undefined) {
        methods.add(method);
      }
    }
  }
  return methods;
}
