import { Module } from '@nestjs/common';
import { AttemptEventsController } from './attempts/attempt-events.controller';
import { ScanLifecycle } from './attempts/scan-lifecycle.service';
import { TimeoutSweeper } from './attempts/timeout-sweeper.service';
import { Dispatcher } from './dispatch/dispatcher.service';
import { IntakeController } from './intake/intake.controller';
import { ScanIntake } from './intake/scan-intake.service';

@Module({
  controllers: [IntakeController, AttemptEventsController],
  providers: [ScanIntake, ScanLifecycle, Dispatcher, TimeoutSweeper],
})
export class SchedulerModule {}
