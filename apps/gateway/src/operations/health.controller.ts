import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthReport, PlatformHealth } from './platform-health.service';

const EXAMPLE = {
  status: 'degraded',
  checked_at: '2025-11-20T10:00:00.000Z',
  reasons: ['1200 scans wait in the queue, more than HEALTH_MAX_QUEUE_DEPTH (1000)'],
  components: [
    { name: 'gateway', status: 'up', detail: 'answering' },
    { name: 'database', status: 'up', detail: 'readable' },
    { name: 'scan-scheduler', status: 'up', detail: '2 instances with a recent heartbeat' },
    { name: 'scanner-worker', status: 'up', detail: '4 consumers of the scan work queue' },
    { name: 'blob-cache-worker', status: 'up', detail: 'ready' },
    { name: 'security-status', status: 'up', detail: 'ready' },
  ],
  numbers: {
    scheduler_instances: 2,
    worker_count: 4,
    queue_depth: 1200,
    active_scans: 8,
    finished_last_15m: 310,
    failed_last_15m: 12,
    error_rate: 0.0387,
  },
  thresholds: { max_queue_depth: 1000, max_error_rate: 0.5, min_finished_for_error_rate: 10, window_minutes: 15 },
};

function present(report: HealthReport) {
  const facts = report.scheduler;
  return {
    status: report.status,
    checked_at: report.checkedAt.toISOString(),
    reasons: report.reasons,
    components: report.components,
    numbers: facts
      ? {
          scheduler_instances: facts.instances,
          worker_count: facts.workerCount,
          queue_depth: facts.queueDepth,
          active_scans: facts.activeScans,
          finished_last_15m: facts.finishedRecently,
          failed_last_15m: facts.failedRecently,
          error_rate: report.errorRate === null ? null : Math.round(report.errorRate * 10_000) / 10_000,
        }
      : null,
    thresholds: {
      max_queue_depth: report.limits.maxQueueDepth,
      max_error_rate: report.limits.maxErrorRate,
      min_finished_for_error_rate: report.limits.minFinishedForErrorRate,
      window_minutes: report.limits.windowMinutes,
    },
  };
}

/**
 * The platform's health for monitors, status pages and load balancers, so it needs no API key
 * (like /health/*). It shows platform-wide aggregates only, never a tenant's data; per-service
 * liveness and readiness stay at each service's /health/live and /health/ready.
 */
@ApiTags('operations')
@Controller('api/v1/health')
export class PlatformHealthController {
  constructor(private readonly health: PlatformHealth) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Platform health: healthy, degraded or stopped, with every component, the numbers and the reasons',
    description:
      'No API key needed; platform-wide aggregates only, refreshed at most every 2 s. `stopped` (503): no scheduler ' +
      'heartbeat in the last 15 s, no scanner-worker on the work queue, or the database cannot be read. `degraded` (200): ' +
      'a probed service (HEALTH_CHECK_URLS) is down, more than HEALTH_MAX_QUEUE_DEPTH scans wait in the queue, or more ' +
      'than HEALTH_MAX_ERROR_RATE of the scans finished in the last 15 minutes failed (with at least 10 finished).',
  })
  @ApiOkResponse({ description: '`healthy` or `degraded`', schema: { example: EXAMPLE } })
  @ApiServiceUnavailableResponse({ description: '`stopped`: scans requested now would not run' })
  async get(@Res({ passthrough: true }) response: Response) {
    const report = await this.health.report();
    response.status(report.status === 'stopped' ? 503 : 200);
    return present(report);
  }
}
