import { Module } from '@nestjs/common';
import { AttemptEventsController } from './attempts/attempt-events.controller';
import { ScanLifecycle } from './attempts/scan-lifecycle.service';
import { TimeoutSweeper } from './attempts/timeout-sweeper.service';
import { Dispatcher } from './dispatch/dispatcher.service';
import { IntakeController } from './intake/intake.controller';
import { ScanAdmission } from './admission/scan-admission.service';
import { VulnDbUpdatedController } from './rematch/vulndb-updated.controller';
import { SbomReader } from '@vulnscan/sbom-data';
import { BatchesController } from './batches/batches.controller';
import { BulkScans } from './batches/bulk-scans.service';
import { PeriodicJobs } from './periodic/periodic-jobs.service';
import { SchedulerHeartbeat } from './operations/heartbeat.service';
import { ScheduleRunner } from './schedules/schedule-runner.service';
import { SchedulesController } from './schedules/schedules.controller';
import { Schedules } from './schedules/schedules.service';
import { Retention } from './retention/retention.service';
import { TenantDeletedController } from './tenants/tenant-deleted.controller';

@Module({
  controllers: [
    IntakeController,
    AttemptEventsController,
    VulnDbUpdatedController,
    BatchesController,
    SchedulesController,
    TenantDeletedController,
  ],
  providers: [
    ScanAdmission,
    ScanLifecycle,
    Dispatcher,
    TimeoutSweeper,
    SbomReader,
    PeriodicJobs,
    BulkScans,
    Schedules,
    ScheduleRunner,
    SchedulerHeartbeat,
    Retention,
  ],
})
export class SchedulerModule {}
