import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { ScanEntity } from '@vulnscan/scheduler-entities';
import { Dispatcher } from '../dispatch/dispatcher.service';
import { SchedulerEnv } from '../env';
import { ScanLifecycle } from './scan-lifecycle.service';
import { attemptLost, scanDeadlinePassed } from './scan-transitions';

/**
 * Fails scans past their overall deadline with `timeout`, and gives up on attempts that never
 * reported back (a lost job, a dead worker) so the scan gets a new attempt. One replica sweeps at
 * a time: the run is claimed with a transaction-scoped advisory lock.
 */
@Injectable()
export class TimeoutSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TimeoutSweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: SchedulerEnv,
    private readonly lifecycle: ScanLifecycle,
    private readonly dispatcher: Dispatcher,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'timeout sweep failed'))
        .finally(() => (this.sweeping = null));
    }, this.env.SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async sweep(): Promise<number> {
    const changed = await this.dataSource.transaction(async (manager) => {
      const [{ claimed }] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('scheduler:sweep')) AS claimed`)) as {
        claimed: boolean;
      }[];
      if (!claimed) return 0;
      return (await this.expireScans(manager)) + (await this.expireAttempts(manager));
    });
    if (changed > 0) this.dispatcher.wake();
    return changed;
  }

  private async expireScans(manager: EntityManager): Promise<number> {
    // a scan still waiting for its first dispatch has not started its clock (see the dispatcher)
    const expired = await this.lockWhere(manager, `status IN ('queued', 'running') AND attempt > 0 AND timeout_at <= now()`);
    for (const scan of expired) {
      await this.lifecycle.fail(manager, scan, scanDeadlinePassed(this.env.SCAN_TIMEOUT_PER_IMAGE));
    }
    return expired.length;
  }

  private async expireAttempts(manager: EntityManager): Promise<number> {
    const lost = await this.lockWhere(
      manager,
      `status IN ('queued', 'running') AND dispatched_at IS NOT NULL AND attempt_deadline <= now()`,
    );
    for (const scan of lost) {
      await this.lifecycle.attemptFailed(manager, scan, attemptLost(scan.attempt, this.env.ATTEMPT_TIMEOUT), {
        attemptStatus: 'timed_out',
        retryable: true,
      });
    }
    return lost.length;
  }

  private lockWhere(manager: EntityManager, condition: string): Promise<ScanEntity[]> {
    return manager
      .getRepository(ScanEntity)
      .createQueryBuilder('s')
      .where(condition)
      .orderBy('s.created_at')
      .limit(100)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }
}
