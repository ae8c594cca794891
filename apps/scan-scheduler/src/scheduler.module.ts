import { Module } from '@nestjs/common';
import { PeriodicJobs } from './periodic/periodic-jobs.service';
import { AttemptEventsController } from './attempts/attempt-events.controller';
import { ScanLifecycle } from './attempts/scan-lifecycle.service';
import { TimeoutSweeper } from './attempts/timeout-sweeper.service';
import { Dispatcher } from './dispatch/dispatcher.service';
import { IntakeController } from './intake/intake.controller';
import { ScanIntake } from './intake/scan-intake.service';
import { VulnDbUpdatedController } from './rematch/vulndb-updated.controller';
import { SbomReader } from '@vulnscan/sbom-data';

@Module({
  controllers: [IntakeController, AttemptEventsController, VulnDbUpdatedController],
  providers: [ScanIntake, ScanLifecycle, Dispatcher, TimeoutSweeper, SbomReader, PeriodicJobs],
})
export class SchedulerModule {}
