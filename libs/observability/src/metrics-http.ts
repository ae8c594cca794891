import { Controller, Get, Header, Injectable, NestMiddleware } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, register } from 'prom-client';
import { processEventLoopLag } from './event-loop-lag';
import { Metrics } from './metrics';

/**
 * prom-client's process metrics (CPU, memory, GC, its own event-loop lag gauges) and our lag
 * histogram, once per process: the registry is global, and registering the defaults twice throws.
 */
export function collectProcessMetrics(): void {
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
  processEventLoopLag();
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor() {
    collectProcessMetrics();
  }

  @Get()
  @Header('Content-Type', register.contentType)
  scrape(): Promise<string> {
    return register.metrics();
  }
}

/** Request duration by route pattern (not raw URL, which would explode label cardinality). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly histogram = Metrics.httpRequests();

  use(request: Request, response: Response, next: NextFunction): void {
    const end = this.histogram.startTimer();
    response.on('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path;
      end({ method: request.method, route: route ? `${request.baseUrl}${route}` : 'unmatched', status: String(response.statusCode) });
    });
    next();
  }
}
