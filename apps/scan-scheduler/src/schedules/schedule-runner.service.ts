import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Commands, ScanTrigger, ScheduleTargetKind } from '@vulnscan/contracts';
import { AmqpRequester, CommandFailedError } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { BatchSource } from '@vulnscan/scan-data';
import { ScheduleEntity } from '@vulnscan/scheduler-entities';
import { BatchOutcome } from '../admission/admission-requests';
import { ScanAdmission } from '../admission/scan-admission.service';
import { Dispatcher } from '../dispatch/dispatcher.service';
import { SchedulerEnv } from '../env';
import { nextRunAfter } from './schedule-timing';
import { targetOf } from './schedules.service';

/** How long the worker may take to walk a repository's tags or a registry's catalog. */
const LIST_TIMEOUT_MS = 120_000;
/** Due schedules one replica claims per poll. */
const CLAIM_LIMIT = 20;

/**
 * Runs due schedules. Every poll, a replica claims due rows (`FOR UPDATE SKIP LOCKED`) and moves
 * their `next_run_at` on in the same transaction, so however many scheduler replicas poll, each
 * planned run happens once. A run expands its target into references (repository and catalog
 * targets through the scanner-worker, which holds the registry credentials) and queues one batch
 * of `schedule` scans. With SCAN_ENABLED=false nothing is claimed.
 */
@Injectable()
export class ScheduleRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduleRunner.name);
  private readonly skip?: RegExp;
  private timer?: NodeJS.Timeout;
  private polling: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: SchedulerEnv,
    private readonly admission: ScanAdmission,
    private readonly dispatcher: Dispatcher,
    private readonly requester: AmqpRequester,
  ) {
    this.skip = env.SCAN_SKIP_PATTERN ? new RegExp(env.SCAN_SKIP_PATTERN) : undefined;
  }

  onApplicationBootstrap(): void {
    if (!this.env.SCAN_ENABLED) {
      this.logger.log('SCAN_ENABLED=false: schedules create no scans on this replica');
      return;
    }
    this.timer = setInterval(() => {
      this.polling ??= this.poll()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'schedule poll failed; trying again next poll'))
        .finally(() => (this.polling = null));
    }, this.env.SCHEDULE_POLL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.polling;
  }

  /** Claims the due schedules and runs them; returns how many ran. */
  async poll(): Promise<number> {
    const now = new Date();
    const claimed = await this.dataSource.transaction(async (manager) => {
      const due = await manager
        .getRepository(ScheduleEntity)
        .createQueryBuilder('s')
        .where('s.enabled AND s.next_run_at <= now()')
        .orderBy('s.next_run_at')
        .limit(CLAIM_LIMIT)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const schedule of due) {
        await manager
          .getRepository(ScheduleEntity)
          .update({ id: schedule.id }, { nextRunAt: nextRunAfter(schedule, schedule.nextRunAt, now) });
      }
      return due;
    });
    for (const schedule of claimed) {
      if (this.stopped) break;
      await this.run(schedule).catch((error: unknown) => this.logger.warn({ err: error, scheduleId: schedule.id }, 'schedule run failed'));
    }
    return claimed.length;
  }

  /**
   * One run of a schedule, planned or triggered (both set `last_run_at`): its target's references
   * become a batch of scans. A target that cannot
   * be listed (registry down, credentials refused) records the reason on the schedule and queues
   * nothing; the next run tries again.
   */
  async run(schedule: ScheduleEntity): Promise<BatchOutcome | { error: string }> {
    let references: string[];
    try {
      references = await this.references(schedule);
    } catch (error) {
      const message = error instanceof CommandFailedError ? `${error.code}: ${error.message}` : String((error as Error).message ?? error);
      await this.dataSource.query(`UPDATE scheduler.schedules SET last_run_at = now(), last_error = $2, updated_at = now() WHERE id = $1`, [
        schedule.id,
        message,
      ]);
      this.logger.warn({ scheduleId: schedule.id, error: message }, 'schedule target could not be listed; nothing queued this run');
      return { error: message };
    }
    const outcome = await this.dataSource.transaction(async (manager) => {
      const created = await this.admission.admitBatch(manager, {
        tenantId: schedule.tenantId,
        source: BatchSource.Schedule,
        trigger: ScanTrigger.Schedule,
        scheduleId: schedule.id,
        requestedBy: `schedule:${schedule.id}`,
        references,
        skip: this.skip,
        invalid: 'skip',
      });
      await manager.query(`UPDATE scheduler.schedules SET last_run_at = now(), last_batch_id = $2, last_error = NULL WHERE id = $1`, [
        schedule.id,
        created.batchId,
      ]);
      return created;
    });
    this.logger.log({ scheduleId: schedule.id, batchId: outcome.batchId, count: outcome.count, skipped: outcome.skipped }, 'schedule ran');
    if (outcome.count > 0) this.dispatcher.wake();
    return outcome;
  }

  private async references(schedule: ScheduleEntity): Promise<string[]> {
    if (schedule.targetKind === ScheduleTargetKind.Image) return [schedule.image!];
    const reply = await this.requester.request(
      Commands.ListTargetImages,
      { tenantId: schedule.tenantId, target: targetOf(schedule), limit: this.env.BATCH_MAX_IMAGES },
      { tenantId: schedule.tenantId, timeoutMs: LIST_TIMEOUT_MS },
    );
    if (reply.truncated) {
      this.logger.warn(
        { scheduleId: schedule.id, limit: this.env.BATCH_MAX_IMAGES },
        'schedule target has more images than BATCH_MAX_IMAGES; scanning the first ones',
      );
    }
    return reply.images;
  }
}
