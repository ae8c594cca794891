import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CommandReplyOf, Commands, EnvelopeOf, SchedulerErrorCode } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';
import { ScheduleRunner } from './schedule-runner.service';
import { Schedules } from './schedules.service';

/** The gateway's schedule commands; answers carry the id, the gateway reads the rest back. */
@Controller()
export class SchedulesController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly schedules: Schedules,
    private readonly runner: ScheduleRunner,
  ) {}

  @MessagePattern(Commands.CreateSchedule)
  async create(@Payload() message: EnvelopeOf<typeof Commands.CreateSchedule>): Promise<CommandReplyOf<typeof Commands.CreateSchedule>> {
    const schedule = await this.dataSource.transaction((manager) => this.schedules.create(manager, message.payload));
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

  /** Runs the schedule now, outside its timing (which it keeps). */
  @MessagePattern(Commands.TriggerSchedule)
  async trigger(@Payload() message: EnvelopeOf<typeof Commands.TriggerSchedule>): Promise<CommandReplyOf<typeof Commands.TriggerSchedule>> {
    const schedule = await this.dataSource.transaction((manager) =>
      this.schedules.lock(manager, message.payload.tenantId, message.payload.id),
    );
    const outcome = await this.runner.run(schedule);
    if ('error' in outcome)
      throw new CommandRejectedError(SchedulerErrorCode.TargetUnavailable, `the schedule's target could not be listed: ${outcome.error}`);
    return outcome;
  }
}
