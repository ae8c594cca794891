import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Events } from '@vulnscan/contracts';
import { Outbox } from '@vulnscan/messaging';
import { counter } from '@vulnscan/observability';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { SchedulerEnv } from '../env';
import { PeriodicJobs } from '../periodic/periodic-jobs.service';
import { byTenant, PURGE_START, purgeEmptyScanBatches, purgeScanBatch } from './scan-purge';

export const RETENTION_JOB = 'retention';

const deletedRows = () => counter('vulnscan_retention_deleted_total', 'Rows deleted by retention, by table', ['table']);

export interface RetentionRun {
  cutoff: Date;
  scans: number;
  attempts: number;
  batches: number;
  /** Transactions that deleted scans. */
  scanBatches: number;
  /** The run stopped early because the service is shutting down. */
  interrupted: boolean;
}

/**
 * Deletes finished scans (completed, failed, canceled) older than RETENTION_DAYS with their
 * attempts, except the latest two completed scans of every image (diffs and new-vulnerability
 * webhooks compare with the previous one); queued and running scans are never touched. Each
 * batch is one transaction that also records a ScansPurged event per tenant, so the worker
 * deletes the reports and findings of exactly the scans that are gone. Then scan batches older
 * than the cutoff that no scan belongs to any more. One replica runs each period (PeriodicJobs).
 */
@Injectable()
export class Retention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Retention.name);
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: SchedulerEnv,
    private readonly jobs: PeriodicJobs,
    private readonly outbox: Outbox,
  ) {}

  onApplicationBootstrap(): void {
    if (this.env.RETENTION_DAYS === 0) {
      this.logger.log('retention is off (RETENTION_DAYS=0): every scan is kept');
      return;
    }
    this.jobs.register({ name: RETENTION_JOB, intervalMs: this.env.RETENTION_INTERVAL * 1000, run: async () => void (await this.run()) });
  }

  beforeApplicationShutdown(): void {
    // The run in progress finishes its current batch and stops; the next period picks up the rest.
    this.stopping = true;
  }

  async run(now = new Date()): Promise<RetentionRun> {
    const cutoff = new Date(now.getTime() - this.env.RETENTION_DAYS * 86400_000);
    const limit = this.env.RETENTION_BATCH_SIZE;
    const started = Date.now();
    const result: RetentionRun = { cutoff, scans: 0, attempts: 0, batches: 0, scanBatches: 0, interrupted: false };
    let cursor = PURGE_START;
    for (;;) {
      if (this.stopping) return this.interrupted(result);
      const batch = await this.dataSource.transaction(async (manager) => {
        const purged = await purgeScanBatch(manager, cutoff, limit, cursor);
        const events = [...byTenant(purged.scans)].map(([tenantId, scanIds]) => ({
          type: Events.ScansPurged,
          tenantId,
          payload: { scanIds },
        }));
        if (events.length > 0) await this.outbox.addMany(manager, events);
        return purged;
      });
      cursor = batch.cursor;
      if (batch.scans.length > 0) {
        result.scans += batch.scans.length;
        result.attempts += batch.attempts;
        result.scanBatches += 1;
        deletedRows().inc({ table: 'scans' }, batch.scans.length);
        deletedRows().inc({ table: 'scan_attempts' }, batch.attempts);
      }
      if (batch.scanned < limit) break;
    }
    for (;;) {
      if (this.stopping) return this.interrupted(result);
      const deleted = await this.dataSource.transaction((manager) => purgeEmptyScanBatches(manager, cutoff, limit));
      result.batches += deleted;
      deletedRows().inc({ table: 'scan_batches' }, deleted);
      if (deleted < limit) break;
    }
    this.logger.log(
      {
        cutoff: cutoff.toISOString(),
        scans: result.scans,
        attempts: result.attempts,
        batches: result.batches,
        transactions: result.scanBatches,
        ms: Date.now() - started,
      },
      'retention run finished',
    );
    return result;
  }

  private interrupted(result: RetentionRun): RetentionRun {
    this.logger.log({ scans: result.scans, attempts: result.attempts, batches: result.batches }, 'retention run stopped for shutdown');
    return { ...result, interrupted: true };
  }
}
