import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { SecurityStatusEnv } from '../env';
import { EarlyScanStates } from './early-scan-states';
import { SecurityStatusService } from './security-status.service';

const BATCH = 100;

/**
 * Asks again for scans of manifests whose last scan failed for good, once their delay is over.
 * A run is claimed with a transaction-scoped advisory lock, so replicas never ask twice.
 * The same timer drops early scan states no ScanAccepted claimed within a day.
 */
@Injectable()
export class StatusRetries implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StatusRetries.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: SecurityStatusEnv,
    private readonly statuses: SecurityStatusService,
    private readonly early: EarlyScanStates,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.run()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'status retry run failed'))
        .finally(() => (this.running = null));
    }, this.env.STATUS_RETRY_POLL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One run: every due retry, a batch per transaction; and scan states no ScanAccepted claimed, dropped. */
  async run(): Promise<number> {
    await this.early.prune(this.dataSource.manager);
    let total = 0;
    for (;;) {
      const asked = await this.dataSource.transaction(async (manager) => {
        const [{ claimed }] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('security-status:retries')) AS claimed`)) as {
          claimed: boolean;
        }[];
        return claimed ? this.statuses.retryDue(manager, BATCH) : 0;
      });
      total += asked;
      if (asked < BATCH) return total;
    }
  }
}
