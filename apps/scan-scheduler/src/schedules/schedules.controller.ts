import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Commands, CreateScheduleCommand, MessageEnvelope, ScheduleRefCommand, UpdateScheduleCommand } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';
import { BatchOutcome } from '../admission/admission-requests';
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
  async create(@Payload() message: MessageEnvelope<CreateScheduleCommand>): Promise<{ id: string }> {
    const schedule = await this.dataSource.transaction((manager) => this.schedules.create(manager, message.payload));
    return { id: schedule.id };
  }

  @MessagePattern(Commands.UpdateSchedule)
  async update(@Payload() message: MessageEnvelope<UpdateScheduleCommand>): Promise<{ id: string }> {
    const schedule = await this.dataSource.transaction((manager) => this.schedules.update(manager, message.payload));
    return { id: schedule.id };
  }

  @MessagePattern(Commands.DeleteSchedule)
  async delete(@Payload() message: MessageEnvelope<ScheduleRefCommand>): Promise<{ deleted: true }> {
    await this.dataSource.transaction((manager) => this.schedules.delete(manager, message.payload.tenantId, message.payload.id));
    return { deleted: true };
  }

  /** Runs the schedule now, outside its timing (which it keeps). */
  @MessagePattern(Commands.TriggerSchedule)
  async trigger(@Payload() message: MessageEnvelope<ScheduleRefCommand>): Promise<BatchOutcome> {
    const schedule = await this.dataSource.transaction((manager) =>
      this.schedules.lock(manager, message.payload.tenantId, message.payload.id),
    );
    const outcome = await this.runner.run(schedule);
    if ('error' in outcome)
      throw new CommandRejectedError('target_unavailable', `the schedule's target could not be listed: ${outcome.error}`, 502);
    return outcome;
  }
}
