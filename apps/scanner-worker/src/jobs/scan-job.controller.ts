import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  EnvelopeOf,
  Events,
  messageText,
  PayloadOf,
  ScanAttemptFailedPayload,
  ScanError,
  ScanErrorCode,
  ScanJobKind,
} from '@vulnscan/contracts';
import { Inbox, Outbox } from '@vulnscan/messaging';
import { counter, gauge } from '@vulnscan/observability';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { ACTIVE_STATUSES, ScanReader } from '@vulnscan/scan-data';
import { WorkerEnv } from '../env';
import { ReportBuilder } from '../reports/report-builder.service';
import { saveReport } from '../reports/report-store';
import { ImageScanner } from './image-scanner.service';

/** Thrown at a layer boundary when the scheduler no longer wants this attempt. */
class AttemptAbandoned extends Error {}

const JOB_CONSUMER = 'scan-job';

const busySlots = gauge('vulnscan_worker_busy_slots', 'Scan jobs this worker process is running now', []);
const utilization = gauge('vulnscan_worker_utilization', 'Busy scan slots over SCAN_CONCURRENCY (0 to 1)', []);
const unpublishable = counter(
  'vulnscan_worker_unpublishable_reports_total',
  'Attempt reports that could not be recorded as they were and were replaced by a plain internal_error failure',
  [],
);

/**
 * Runs one attempt of one scan and reports it (ScanAttempt* through the outbox). The final
 * report and the inbox row commit together, so a job redelivered after that commit is skipped,
 * while a job redelivered after a crash mid-scan simply runs again.
 */
@Controller()
export class ScanJobController {
  private readonly logger = new Logger(ScanJobController.name);
  private readonly workerId: string;
  private readonly running = new Map<string, AbortController>();
  private readonly concurrency: number;
  private busy = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) env: WorkerEnv,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    private readonly scans: ScanReader,
    private readonly scanner: ImageScanner,
    private readonly reports: ReportBuilder,
  ) {
    this.workerId = env.INSTANCE_ID ?? `scanner-worker-${process.pid}`;
    this.concurrency = env.SCAN_CONCURRENCY;
  }

  @EventPattern(Events.ScanJobQueued, { queue: 'scan-jobs' })
  async run(@Payload() job: EnvelopeOf<typeof Events.ScanJobQueued>): Promise<void> {
    const { scanId, attempt, image, platform } = job.payload;
    const tenantId = job.tenantId ?? '';
    if ((await this.inbox.seen(JOB_CONSUMER, job.id)) || !(await this.stillWanted(tenantId, scanId, attempt))) return;
    const controller = new AbortController();
    this.running.set(scanId, controller);
    this.setBusy(this.busy + 1);
    const base = { scanId, attempt, workerId: this.workerId };
    try {
      await this.emit(tenantId, Events.ScanAttemptStarted, base);
      let lastProgress = 0;
      const progress = async (fraction: number, stage: string): Promise<void> => {
        const percent = Math.min(99, Math.floor(fraction * 100));
        if (percent <= lastProgress) return;
        lastProgress = percent;
        await this.emit(tenantId, Events.ScanAttemptProgressed, { ...base, progress: percent, stage });
      };
      const rematch = job.payload.kind === ScanJobKind.Rematch && job.payload.manifestDigest;
      // A rematch matches the stored SBOM as it is; a scan makes sure its SBOM exists, then matches it.
      const stored = rematch ? await this.scanner.stored(rematch) : undefined;
      const result =
        stored?.result ??
        (await this.scanner.fetch(
          tenantId,
          image,
          platform,
          {
            signal: controller.signal,
            checkpoint: async () => {
              if (controller.signal.aborted || !(await this.stillWanted(tenantId, scanId, attempt))) throw new AttemptAbandoned();
            },
            progress,
          },
          { viaCache: job.payload.viaCache },
        ));
      await progress(0.97, 'matching');
      // The report and the attempt's success commit together, with the inbox row.
      const report = stored
        ? await this.reports.buildFrom(stored.sbom)
        : await this.reports.build(result.manifestDigest, this.scanner.analyzerVersion);
      await this.inbox.runOnce(JOB_CONSUMER, job, async (manager) => {
        const saved = await saveReport(manager, { tenantId, scanId, attempt }, report);
        const summary = {
          reportId: saved.reportId,
          vulndbVersion: saved.vulndbVersion,
          findings: report.summary.total,
          fixable: report.summary.fixable,
        };
        return this.outbox.add(manager, {
          type: Events.ScanAttemptSucceeded,
          tenantId: job.tenantId,
          payload: { ...base, result, report: summary },
        });
      });
    } catch (error) {
      if (error instanceof AttemptAbandoned || controller.signal.aborted) {
        this.logger.log({ scanId, attempt }, 'scan attempt abandoned: the scan was canceled or superseded');
        return;
      }
      if (error instanceof ScanError) {
        await this.reportFailure(job, {
          ...base,
          error: { code: error.code, message: messageText(error.message) },
          ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: Math.ceil(error.retryAfterSeconds) } : {}),
        });
        return;
      }
      if (this.isInfrastructureFailure(error)) throw error; // the broker redelivers; nothing was reported
      this.logger.error({ err: error, scanId, attempt }, 'scan attempt failed unexpectedly');
      await this.reportFailure(job, {
        ...base,
        error: { code: ScanErrorCode.Internal, message: messageText(error instanceof Error ? error.message : String(error)) },
      });
    } finally {
      this.running.delete(scanId);
      this.setBusy(this.busy - 1);
    }
  }

  private setBusy(slots: number): void {
    this.busy = slots;
    busySlots.set(slots);
    utilization.set(slots / this.concurrency);
  }

  /** A ScanCanceled reaching this replica stops its attempt at once; others stop at the next layer. */
  @EventPattern(Events.ScanCanceled)
  canceled(@Payload() message: EnvelopeOf<typeof Events.ScanCanceled>): void {
    this.running.get(message.payload.scanId)?.abort();
  }

  private async stillWanted(tenantId: string, scanId: string, attempt: number): Promise<boolean> {
    const scan = await this.scans.findOne(tenantId, scanId);
    return !!scan && ACTIVE_STATUSES.includes(scan.status) && scan.attempt === attempt;
  }

  private async emit<N extends typeof Events.ScanAttemptStarted | typeof Events.ScanAttemptProgressed>(
    tenantId: string,
    type: N,
    payload: PayloadOf<N>,
  ): Promise<void> {
    await this.dataSource.transaction((manager) => this.outbox.add(manager, { type, tenantId, payload }));
  }

  /**
   * A failed attempt's report and the inbox row commit together. A report that still cannot be
   * recorded (text a registry chose that no contract admits) is replaced by a plain internal_error,
   * so the scheduler hears of the attempt and frees its slot instead of waiting for its deadline.
   */
  private async reportFailure(job: EnvelopeOf<typeof Events.ScanJobQueued>, payload: ScanAttemptFailedPayload): Promise<void> {
    const record = (failure: ScanAttemptFailedPayload) =>
      this.inbox.runOnce(JOB_CONSUMER, job, (manager) =>
        this.outbox.add(manager, { type: Events.ScanAttemptFailed, tenantId: job.tenantId, payload: failure }),
      );
    try {
      await record(payload);
    } catch (error) {
      if (this.isInfrastructureFailure(error)) throw error;
      unpublishable.inc();
      this.logger.error(
        { err: error, scanId: payload.scanId, attempt: payload.attempt },
        'attempt failure could not be recorded as it was',
      );
      const { scanId, attempt, workerId } = payload;
      const message = messageText(`the attempt failed with ${payload.error.code}, whose report could not be recorded`);
      await record({ scanId, attempt, workerId, error: { code: ScanErrorCode.Internal, message } });
    }
  }

  private isInfrastructureFailure(error: unknown): boolean {
    const name = (error as { name?: string } | null)?.name ?? '';
    return name === 'QueryFailedError' || name === 'ConnectionIsNotSetError' || /ECONNREFUSED|Connection terminated/.test(String(error));
  }
}
