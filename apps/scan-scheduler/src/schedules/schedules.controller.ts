import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CommandReplyOf, Commands, EnvelopeOf, SchedulerErrorCode } from '@vulnscan/contracts';
import { CommandRejectedError, TenantTombstones } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { bulkCooldownWait } from '../batches/bulk-cooldown';
import { SchedulerEnv } from '../env';
import { ScheduleRunner } from './schedule-runner.service';
import { Schedules } from './schedules.service';

/** The gateway's schedule commands; answers carry the id, the gateway reads the rest back. */
@Controller()
export class SchedulesController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly schedules: Schedules,
    private readonly runner: ScheduleRunner,
    @Inject(SERVICE_ENV) private readonly env: SchedulerEnv,
    private readonly tombstones: TenantTombstones,
  ) {}

  @MessagePattern(Commands.CreateSchedule)
  async create(@Payload() message: EnvelopeOf<typeof Commands.CreateSchedule>): Promise<CommandReplyOf<typeof Commands.CreateSchedule>> {
    const schedule = await this.dataSource.transaction(async (manager) => {
      // a request in flight while its tenant was deleted leaves no schedule for a re-created id
      await this.tombstones.refuseForDeletedIncarnation(manager, { ...message, tenantId: message.payload.tenantId });
      return this.schedules.create(manager, message.payload);
    });
    return { id: schedule.id };
  }

  @MessagePattern(Commands.UpdateSchedule)
  async update(@Payload() message: EnvelopeOf<typeof Commands.UpdateSchedule>): Promise<CommandReplyOf<typeof Commands.UpdateSchedule>> {
    const schedule = await this.dataSource.transaction((manager) => this.schedules.update(manager, message.payload));
    return { id: schedule.id };
  }

  @MessagePattern(Commands.DeleteSchedule)
  async delete(@Payload() message: EnvelopeOf<typeof Commands.DeleteSchedule>): Promise<CommandReplyOf<typeof Commands.DeleteSchedule>> {
    await this.dataSource.transaction((manager) => this.schedules.delete(manager, message.payload.tenantId, message.payload.id));
    return { deleted: true };
  }

  /**
   * Runs the schedule now, outside its timing (which it keeps), unless it ran (planned or
   * triggered) within SCHEDULE_TRIGGER_COOLDOWN_SECONDS. The run is stamped under the row lock, so
   * of concurrent triggers one runs and the others wait out the cooldown.
   */
  @MessagePattern(Commands.TriggerSchedule)
  async trigger(@Payload() message: EnvelopeOf<typeof Commands.TriggerSchedule>): Promise<CommandReplyOf<typeof Commands.TriggerSchedule>> {
    const schedule = await this.dataSource.transaction(async (manager) => {
      const locked = await this.schedules.lock(manager, message.payload.tenantId, message.payload.id);
      const cooldown = this.env.SCHEDULE_TRIGGER_COOLDOWN_SECONDS;
      // the same rule as the bulk cooldown: what is left of it, rounded up
      const wait = bulkCooldownWait(locked.lastRunAt ? (Date.now() - locked.lastRunAt.getTime()) / 1000 : undefined, cooldown);
      if (wait > 0) {
        throw new CommandRejectedError(
          SchedulerErrorCode.RateLimited,
          `schedule ${locked.id} ran less than ${cooldown} s ago (SCHEDULE_TRIGGER_COOLDOWN_SECONDS); try again in ${wait} s`,
          { retryAfterSeconds: wait },
        );
      }
      await manager.query(`UPDATE scheduler.schedules SET last_run_at = now() WHERE id = $1`, [locked.id]);
      return locked;
    });
    const outcome = await this.runner.run(schedule);
    if ('error' in outcome)
      throw new CommandRejectedError(SchedulerErrorCode.TargetUnavailable, `the schedule's target could not be listed: ${outcome.error}`);
    return outcome;
  }
}
