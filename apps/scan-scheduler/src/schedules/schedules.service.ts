import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  CreateScheduleCommand,
  SchedulerErrorCode,
  ScheduleTargetDto,
  ScheduleTargetKind,
  UpdateScheduleCommand,
} from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { formatReference, InvalidReferenceError, parseImageReference } from '@vulnscan/image-reference';
import { ScheduleEntity } from '@vulnscan/scheduler-entities';
import { SchedulerEnv } from '../env';
import { shortestGapSeconds } from './schedule-limits';
import { firstRun, ScheduleTiming } from './schedule-timing';

type TargetColumns = Pick<ScheduleEntity, 'targetKind' | 'image' | 'registry' | 'repository' | 'tagFilter'>;

/** Creates, changes and deletes schedules; the ScheduleRunner runs them. */
@Injectable()
export class Schedules {
  constructor(@Inject(SERVICE_ENV) private readonly env: SchedulerEnv) {}

  async create(manager: EntityManager, command: CreateScheduleCommand): Promise<ScheduleEntity> {
    const now = new Date();
    const given = this.timing(command);
    if (given) this.checkInterval(given, now);
    const timing = given ?? { intervalSeconds: this.env.SCAN_INTERVAL, cron: null };
    await this.checkCount(manager, command.tenantId);
    const schedule = manager.getRepository(ScheduleEntity).create({
      id: uuidv7(),
      tenantId: command.tenantId,
      name: command.name,
      ...targetColumns(command.target),
      ...timing,
      enabled: command.enabled ?? true,
      nextRunAt: firstRun(timing, now),
      lastRunAt: null,
      lastBatchId: null,
      lastError: null,
      createdBy: command.requestedBy ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await manager.getRepository(ScheduleEntity).insert(schedule);
    return schedule;
  }

  async update(manager: EntityManager, command: UpdateScheduleCommand): Promise<ScheduleEntity> {
    const schedule = await this.lock(manager, command.tenantId, command.id);
    const now = new Date();
    const timing = this.timing(command);
    if (timing) this.checkInterval(timing, now);
    const wasEnabled = schedule.enabled;
    Object.assign(schedule, {
      ...(command.name !== undefined ? { name: command.name } : {}),
      ...(command.target !== undefined ? targetColumns(command.target) : {}),
      ...(timing ?? {}),
      ...(command.enabled !== undefined ? { enabled: command.enabled } : {}),
      updatedAt: now,
    });
    // a new timing, or a schedule switched back on, starts from now
    if (timing || (!wasEnabled && schedule.enabled)) schedule.nextRunAt = firstRun(schedule, now);
    await manager.getRepository(ScheduleEntity).save(schedule);
    return schedule;
  }

  async delete(manager: EntityManager, tenantId: string, id: string): Promise<void> {
    await this.lock(manager, tenantId, id);
    await manager.getRepository(ScheduleEntity).delete({ tenantId, id });
  }

  async lock(manager: EntityManager, tenantId: string, id: string): Promise<ScheduleEntity> {
    const schedule = await manager.getRepository(ScheduleEntity).findOne({ where: { tenantId, id }, lock: { mode: 'pessimistic_write' } });
    if (!schedule) throw new CommandRejectedError(SchedulerErrorCode.NotFound, `schedule ${id} not found`);
    return schedule;
  }

  /** A schedule may not run more often than SCHEDULE_MIN_INTERVAL_SECONDS, by interval or by cron. */
  private checkInterval(timing: ScheduleTiming, now: Date): void {
    const gap = shortestGapSeconds(timing, now);
    if (gap < this.env.SCHEDULE_MIN_INTERVAL_SECONDS) {
      const what = timing.cron !== null ? `cron ${JSON.stringify(timing.cron)} runs ${gap} s apart` : `interval ${gap} s`;
      throw new CommandRejectedError(
        SchedulerErrorCode.InvalidSchedule,
        `${what}: schedules run at most every ${this.env.SCHEDULE_MIN_INTERVAL_SECONDS} s (SCHEDULE_MIN_INTERVAL_SECONDS)`,
      );
    }
  }

  /** At most SCHEDULES_MAX_PER_TENANT schedules per tenant; concurrent creates of one tenant queue on a lock. */
  private async checkCount(manager: EntityManager, tenantId: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`schedule-create|${tenantId}`]);
    const count = await manager.getRepository(ScheduleEntity).count({ where: { tenantId } });
    if (count >= this.env.SCHEDULES_MAX_PER_TENANT) {
      throw new CommandRejectedError(
        SchedulerErrorCode.ScheduleLimitReached,
        `this tenant has ${count} schedules, the most allowed (SCHEDULES_MAX_PER_TENANT=${this.env.SCHEDULES_MAX_PER_TENANT}); delete one first`,
      );
    }
  }

  /** The timing a command gives, if any: an interval or a cron expression, never both. */
  private timing(command: { intervalSeconds?: number; cron?: string }): ScheduleTiming | undefined {
    if (command.intervalSeconds !== undefined && command.cron !== undefined) {
      throw new CommandRejectedError(SchedulerErrorCode.InvalidSchedule, 'give either an interval or a cron expression, not both');
    }
    if (command.intervalSeconds !== undefined) return { intervalSeconds: command.intervalSeconds, cron: null };
    if (command.cron !== undefined) return { intervalSeconds: null, cron: command.cron.trim() };
    return undefined;
  }
}

function targetColumns(target: ScheduleTargetDto): TargetColumns {
  const none = { image: null, registry: null, repository: null, tagFilter: target.tagFilter ?? null };
  switch (target.kind) {
    case ScheduleTargetKind.Image: {
      let image: string;
      try {
        image = formatReference(parseImageReference(target.image!));
      } catch (error) {
        if (error instanceof InvalidReferenceError)
          throw new CommandRejectedError(SchedulerErrorCode.InvalidReference, `image: ${error.reason}`);
        throw error;
      }
      return { ...none, targetKind: target.kind, image, tagFilter: null };
    }
    case ScheduleTargetKind.Repository:
      return { ...none, targetKind: target.kind, registry: target.registry!, repository: target.repository! };
    case ScheduleTargetKind.Catalog:
      return { ...none, targetKind: target.kind, registry: target.registry! };
  }
}

/** The target of a stored schedule, as the contracts spell it. */
export function targetOf(schedule: ScheduleEntity): ScheduleTargetDto {
  return {
    kind: schedule.targetKind as ScheduleTargetKind,
    ...(schedule.image !== null ? { image: schedule.image } : {}),
    ...(schedule.registry !== null ? { registry: schedule.registry } : {}),
    ...(schedule.repository !== null ? { repository: schedule.repository } : {}),
    ...(schedule.tagFilter !== null ? { tagFilter: schedule.tagFilter } : {}),
  };
}
