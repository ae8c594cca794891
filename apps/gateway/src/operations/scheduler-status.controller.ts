import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ScanCountScope, SchedulerStatusReader } from '@vulnscan/scan-data';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { isOperator } from '../auth/scope-check';
import { Scope } from '../entities';

class SchedulerStatusView {
  @ApiProperty({ description: 'At least one scheduler replica sent a heartbeat (every 5 s) in the last 15 s' })
  running!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Latest run of a schedule; null if none ran' })
  last_run_at!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Next planned run of an enabled schedule; null if there is none',
  })
  next_run_at!: string | null;

  @ApiProperty({ description: 'Scans handed to a worker and not finished yet' })
  active_scans!: number;

  @ApiProperty({ description: 'Queued scans not handed to a worker yet (retries waiting for their backoff included)' })
  queue_depth!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'scanner-worker processes consuming the scan work queue, platform-wide, at the freshest heartbeat; null while no scheduler is running',
  })
  worker_count!: number | null;

  @ApiProperty({ description: 'Completed scans still kept (retention deletes old ones)' })
  total_completed!: number;

  @ApiProperty({ description: 'Failed scans still kept (retention deletes old ones)' })
  total_failed!: number;

  @ApiProperty({
    enum: ['tenant', 'platform'],
    description: "Whose scans the counts cover: the key's tenant, or every tenant for an admin key",
  })
  scope!: 'tenant' | 'platform';
}

@ApiTags('operations')
@Controller('api/v1/scheduler')
export class SchedulerStatusController {
  constructor(private readonly reader: SchedulerStatusReader) {}

  @Get('status')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({
    summary: 'Whether the scheduler runs, schedule runs, the backlog and scan totals',
    description:
      '`running` and `worker_count` describe the platform. `last_run_at` and `next_run_at` (schedules), `active_scans`, ' +
      "`queue_depth`, `total_completed` and `total_failed` cover the key's tenant, or every tenant for an operator key " +
      '(`platform:admin`; `scope` says which).',
  })
  @ApiOkResponse({ type: SchedulerStatusView })
  async status(@CurrentPrincipal() principal: Principal): Promise<SchedulerStatusView> {
    const platformWide = isOperator(principal.scopes);
    const scope: ScanCountScope = platformWide ? { allTenants: true } : { tenantId: principal.tenantId };
    const [liveness, runs, backlog, totals] = await Promise.all([
      this.reader.liveness(),
      this.reader.scheduleRuns(scope),
      this.reader.backlog(scope),
      this.reader.totals(scope),
    ]);
    return {
      running: liveness.instances > 0,
      last_run_at: runs.lastRunAt?.toISOString() ?? null,
      next_run_at: runs.nextRunAt?.toISOString() ?? null,
      active_scans: backlog.active,
      queue_depth: backlog.queued,
      worker_count: liveness.workerCount,
      total_completed: totals.completed,
      total_failed: totals.failed,
      scope: platformWide ? 'platform' : 'tenant',
    };
  }
}
