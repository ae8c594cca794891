import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CancelScanReply, Events, ResolvedImageDto, ScanErrorCode, ScanErrorDto, SchedulerErrorCode } from '@vulnscan/contracts';
import { backoffDelayMs } from '@vulnscan/backoff';
import { CommandRejectedError, Outbox } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { ScanStatus } from '@vulnscan/scan-data';
import { ScanAttemptEntity, ScanEntity } from '@vulnscan/scheduler-entities';
import { SchedulerEnv } from '../env';
import { countAttemptError, countRetry, observeScanFinished } from '../operations/scan-metrics';
import { advancesProgress, getsAnotherAttempt, isRetryable, mayChange } from './scan-transitions';

type AttemptStatus = ScanAttemptEntity['status'];

/** Longest wait between two attempts, whatever the attempt number. */
const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * A scan's transitions after admission: started, progressed, succeeded, failed or retried,
 * crashed, canceled (which rules apply is decided in `scan-transitions.ts`). Two other writers
 * exist: scan admission creates scans (`admission/`), and the dispatcher hands a queued scan to a
 * worker (new attempt, `dispatched_at`); retention only deletes finished scans. Every transition here runs inside the caller's
 * transaction with the scan row locked, and writes the events it causes to the outbox in that
 * transaction. Reports about a finished scan or another attempt than the current one are ignored.
 */
@Injectable()
export class ScanLifecycle {
  private readonly logger = new Logger(ScanLifecycle.name);

  constructor(
    @Inject(SERVICE_ENV) private readonly env: SchedulerEnv,
    private readonly outbox: Outbox,
  ) {}

  /** The scan, locked, if `attempt` is its current attempt and it is still queued or running. */
  async lockCurrent(manager: EntityManager, scanId: string, attempt?: number): Promise<ScanEntity | null> {
    const scan = await manager.getRepository(ScanEntity).findOne({ where: { id: scanId }, lock: { mode: 'pessimistic_write' } });
    return scan && mayChange(scan, attempt) ? scan : null;
  }

  async started(manager: EntityManager, scan: ScanEntity, workerId: string): Promise<void> {
    const firstStart = scan.startedAt === null;
    const now = new Date();
    await this.update(manager, scan, { status: ScanStatus.Running, workerId, startedAt: scan.startedAt ?? now });
    await this.setAttempt(manager, scan, 'running', { workerId, startedAt: now });
    if (firstStart) {
      await this.outbox.add(manager, {
        type: Events.ScanStarted,
        tenantId: scan.tenantId,
        payload: { scanId: scan.id, image: scan.image, attempt: scan.attempt, followed: scan.followed },
      });
    }
  }

  /** A Started handled after its attempt ended only completes the attempt's history. */
  async startedLate(manager: EntityManager, scanId: string, attempt: number, workerId: string, at: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(ScanAttemptEntity)
      .set({ workerId: () => 'COALESCE(worker_id, :workerId)', startedAt: () => 'COALESCE(started_at, :at)' })
      .where('scan_id = :scanId AND attempt = :attempt', { scanId, attempt })
      .setParameters({ workerId, at })
      .execute();
  }

  async progressed(manager: EntityManager, scan: ScanEntity, progress: number): Promise<void> {
    if (advancesProgress(scan, progress)) await this.update(manager, scan, { progress });
  }

  async succeeded(manager: EntityManager, scan: ScanEntity, result: ResolvedImageDto): Promise<void> {
    await this.setAttempt(manager, scan, 'succeeded');
    await this.update(manager, scan, {
      status: ScanStatus.Completed,
      progress: 100,
      completedAt: new Date(),
      manifestDigest: result.manifestDigest,
      mediaType: result.mediaType,
      platform: result.platform,
      layers: result.layers,
    });
    observeScanFinished(scan, 'completed');
    await this.outbox.add(manager, {
      type: Events.ScanCompleted,
      tenantId: scan.tenantId,
      payload: {
        scanId: scan.id,
        image: scan.image,
        result,
        trigger: scan.trigger,
        completedAt: scan.completedAt?.toISOString(),
        followed: scan.followed,
      },
    });
  }

  /**
   * A failed attempt: retryable codes get a new attempt after an exponential backoff with full
   * jitter (or the registry's Retry-After, when longer), as long as retries and the overall
   * deadline allow; everything else fails at once.
   */
  async attemptFailed(
    manager: EntityManager,
    scan: ScanEntity,
    error: ScanErrorDto,
    options: { retryAfterSeconds?: number; attemptStatus?: AttemptStatus; retryable?: boolean } = {},
  ): Promise<void> {
    await this.setAttempt(manager, scan, options.attemptStatus ?? 'failed', { errorCode: error.code, errorMessage: error.message });
    countAttemptError(error.code);
    const retryable = isRetryable(error.code, options.retryable);
    // A Retry-After beyond the cap stands: the scan's deadline decides whether to wait that long.
    const backoffMs = backoffDelayMs(
      scan.attempt,
      { baseMs: this.env.SCAN_RETRY_BASE * 1000, capMs: MAX_BACKOFF_MS },
      options.retryAfterSeconds === undefined ? undefined : options.retryAfterSeconds * 1000,
    );
    const nextAttemptAt = new Date(Date.now() + backoffMs);
    if (getsAnotherAttempt(scan, retryable, nextAttemptAt, this.env.SCAN_MAX_RETRIES)) {
      countRetry(error.code);
      this.logger.log(
        { scanId: scan.id, attempt: scan.attempt, code: error.code, retryInMs: Math.round(backoffMs) },
        'scan attempt will be retried',
      );
      await this.update(manager, scan, {
        status: ScanStatus.Queued,
        dispatchedAt: null,
        attemptDeadline: null,
        workerId: null,
        nextAttemptAt,
        errorCode: error.code,
        errorMessage: error.message,
      });
      return;
    }
    await this.fail(manager, scan, error);
  }

  async fail(manager: EntityManager, scan: ScanEntity, error: ScanErrorDto): Promise<void> {
    await this.update(manager, scan, {
      status: ScanStatus.Failed,
      completedAt: new Date(),
      errorCode: error.code,
      errorMessage: error.message,
    });
    observeScanFinished(scan, 'failed');
    await this.outbox.add(manager, {
      type: Events.ScanFailed,
      tenantId: scan.tenantId,
      payload: { scanId: scan.id, image: scan.image, error, followed: scan.followed },
    });
  }

  /** The work queue gave up on this job: it crashed a worker on every delivery. */
  async crashed(manager: EntityManager, scan: ScanEntity): Promise<void> {
    await this.setAttempt(manager, scan, 'crashed');
    await this.fail(manager, scan, {
      code: ScanErrorCode.WorkerCrashed,
      message: `The scan job was delivered ${this.env.WORK_QUEUE_DELIVERY_LIMIT} times and never finished: it crashes workers.`,
    });
  }

  async cancel(manager: EntityManager, tenantId: string, scanId: string): Promise<CancelScanReply> {
    const scan = await manager.getRepository(ScanEntity).findOne({ where: { id: scanId, tenantId }, lock: { mode: 'pessimistic_write' } });
    if (!scan) throw new CommandRejectedError(SchedulerErrorCode.NotFound, `scan ${scanId} not found`);
    if (!mayChange(scan)) return { scanId, status: scan.status, canceled: false };
    if (scan.dispatchedAt) await this.setAttempt(manager, scan, 'canceled'); // only an attempt in flight
    await this.update(manager, scan, { status: ScanStatus.Canceled, completedAt: new Date() });
    observeScanFinished(scan, 'canceled');
    await this.outbox.add(manager, {
      type: Events.ScanCanceled,
      tenantId: scan.tenantId,
      payload: { scanId: scan.id, image: scan.image },
    });
    return { scanId, status: ScanStatus.Canceled, canceled: true };
  }

  /** Cancels every queued or running scan of a batch at once (set-based: a batch may hold 10,000); returns how many. */
  cancelBatch(manager: EntityManager, tenantId: string, batchId: string): Promise<number> {
    return this.cancelWhere(manager, tenantId, 'batch_id = $2', [batchId]);
  }

  /** Cancels every queued or running scan of a tenant (it is being deleted); returns how many. */
  cancelTenant(manager: EntityManager, tenantId: string): Promise<number> {
    return this.cancelWhere(manager, tenantId, 'true', []);
  }

  /**
   * The one set-based cancel: running attempts end `canceled`, and each scan gets its ScanCanceled
   * (workers stop). `where` is one of the fixed fragments above, never input; its values are `params`.
   */
  private async cancelWhere(manager: EntityManager, tenantId: string, where: string, params: unknown[]): Promise<number> {
    const [scans] = (await manager.query(
      `UPDATE scheduler.scans SET status = 'canceled', completed_at = now(), updated_at = now()
       WHERE tenant_id = $1 AND ${where} AND status IN ('queued', 'running')
       RETURNING id, image, attempt, dispatched_at AS "dispatchedAt", trigger, created_at AS "createdAt", completed_at AS "completedAt"`,
      [tenantId, ...params],
    )) as [Pick<ScanEntity, 'id' | 'image' | 'attempt' | 'dispatchedAt' | 'trigger' | 'createdAt' | 'completedAt'>[], number];
    const inFlight = scans.filter((scan) => scan.dispatchedAt !== null);
    if (inFlight.length > 0) {
      await manager.query(
        `UPDATE scheduler.scan_attempts a SET status = 'canceled', finished_at = now()
         FROM unnest($1::uuid[], $2::int[]) AS c(scan_id, attempt)
         WHERE a.scan_id = c.scan_id AND a.attempt = c.attempt`,
        [inFlight.map((scan) => scan.id), inFlight.map((scan) => scan.attempt)],
      );
    }
    for (const scan of scans) observeScanFinished(scan, 'canceled');
    await this.outbox.addMany(
      manager,
      scans.map((scan) => ({ type: Events.ScanCanceled, tenantId, payload: { scanId: scan.id, image: scan.image } })),
    );
    return scans.length;
  }

  private async update(manager: EntityManager, scan: ScanEntity, changes: Partial<ScanEntity>): Promise<void> {
    Object.assign(scan, changes, { updatedAt: new Date() });
    await manager.getRepository(ScanEntity).update({ id: scan.id }, { ...changes, updatedAt: scan.updatedAt });
  }

  private async setAttempt(
    manager: EntityManager,
    scan: ScanEntity,
    status: AttemptStatus,
    changes: Partial<ScanAttemptEntity> = {},
  ): Promise<void> {
    const finished = status !== 'running' && status !== 'dispatched';
    await manager
      .getRepository(ScanAttemptEntity)
      .update({ scanId: scan.id, attempt: scan.attempt }, { ...changes, status, ...(finished ? { finishedAt: new Date() } : {}) });
  }
}
