import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  Events,
  ManifestCachedPayload,
  ManifestCompletePayload,
  ScanAcceptedPayload,
  ScanStartedPayload,
  ScanErrorCode,
  ScanErrorDto,
  ScanTrigger,
} from '@vulnscan/contracts';
import { Outbox } from '@vulnscan/messaging';
import { counter } from '@vulnscan/observability';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { SecurityStatus, UnsupportedReason } from '@vulnscan/status-data';
import { ManifestSecurityStatusEntity } from '@vulnscan/status-entities';
import { SecurityStatusEnv } from '../env';
import { CacheScanRate, RATE_LIMITED } from './cache-scan-rate';
import { EarlyScanState, EarlyScanStates } from './early-scan-states';
import { failedWhileCompleting } from './failed-while-completing';
import { unsupportedReason } from './media-types';

type StatusRow = ManifestSecurityStatusEntity;

/** What every scan event of the scheduler says about its scan. */
type ScanEvent = Pick<ScanStartedPayload, 'scanId' | 'followed'>;
type ManifestKey = Pick<StatusRow, 'tenantId' | 'upstream' | 'repository' | 'manifestDigest'>;

const resets = counter(
  'proxy_cache_security_reset_total',
  'Security statuses reset and rescanned because every blob of the manifest reached the cache',
  [],
);
const requests = counter('security_status_scans_requested_total', 'Scans security-status requested, by trigger', ['trigger']);
const deferred = counter(
  'security_status_scans_rate_limited_total',
  'Scan requests deferred because the tenant reached CACHE_SCAN_RATE_PER_MINUTE',
  [],
);

/**
 * Every transition of a cached manifest's security status, each in the caller's transaction
 * (with the inbox row of the event that caused it). Only the scan this service requested last
 * for a manifest moves its status; events of any other scan are ignored. What it knows of scans
 * and of the cache comes from their events only: it reads neither service's tables.
 */
@Injectable()
export class SecurityStatusService {
  constructor(
    private readonly outbox: Outbox,
    @Inject(SERVICE_ENV) private readonly env: SecurityStatusEnv,
    private readonly early: EarlyScanStates,
    private readonly rate: CacheScanRate,
  ) {}

  /** First time the cache holds this manifest for this repository. */
  async manifestCached(manager: EntityManager, tenantId: string, event: ManifestCachedPayload): Promise<void> {
    const key = { tenantId, upstream: event.upstream, repository: event.repository, manifestDigest: event.digest };
    const { row, created } = await this.lockOrCreate(manager, key, event.mediaType);
    if (!created) return; // a re-pull, or its ManifestComplete got here first
    const reason = unsupportedReason(event.mediaType, event.configMediaType);
    if (reason) {
      await this.update(manager, row, { status: SecurityStatus.Unsupported, reason, message: null });
      return;
    }
    // Arrived complete: its ManifestComplete (same transaction at the cache) requests the scan.
    if (event.complete) return;
    await this.requestScan(manager, row, ScanTrigger.ManifestCached);
  }

  /** Every blob of the manifest is placed: scan it now, its layers are all there. */
  async manifestComplete(manager: EntityManager, tenantId: string, event: ManifestCompletePayload): Promise<void> {
    const key = { tenantId, upstream: event.upstream, repository: event.repository, manifestDigest: event.digest };
    const { row } = await this.lockOrCreate(manager, key, null);
    // Already known complete: a redelivered or repeated ManifestComplete asks for nothing more.
    if (row.cacheComplete) return;
    const staleFailure = failedWhileCompleting(row, event); // before the update below moves updatedAt
    await this.update(manager, row, { cacheComplete: true });
    if (row.status === SecurityStatus.Unsupported && row.reason !== UnsupportedReason.LayersUnavailable) return;
    if (row.requestId === null || staleFailure) {
      await this.requestScan(manager, row, ScanTrigger.ManifestComplete);
      return;
    }
    if (!this.env.PROXY_CACHE_AUTO_RESET_SECURITY_STATUS || row.status === SecurityStatus.Completed) return;
    resets.inc();
    await this.requestScan(manager, row, ScanTrigger.ManifestComplete, { reset: true });
  }

  /**
   * The scan a request became. Events are not ordered across handlers, so what was heard of the
   * scan before (kept by EarlyScanStates) is applied now, and so is its state when the request was
   * answered: a request deduplicated into a running scan hears no ScanStarted of it.
   */
  async scanAccepted(manager: EntityManager, tenantId: string, accepted: ScanAcceptedPayload): Promise<void> {
    const { requestId, scanId } = accepted;
    await this.early.lock(manager, scanId);
    await manager.query(
      `UPDATE status.manifest_security_status SET scan_id = $3, updated_at = now() WHERE tenant_id = $1 AND request_id = $2`,
      [tenantId, requestId, scanId],
    );
    const heard = await this.early.claim(manager, tenantId, scanId);
    const rows = await this.rowsOfScan(manager, tenantId, scanId);
    if (heard && heard.status !== 'running') await this.applyFinished(manager, rows, scanId, heard);
    else if (heard || accepted.status === 'running') await this.applyStarted(manager, rows);
  }

  async scanStarted(manager: EntityManager, tenantId: string, event: ScanEvent): Promise<void> {
    await this.followed(manager, tenantId, event, { status: 'running' }, (rows) => this.applyStarted(manager, rows));
  }

  async scanCompleted(manager: EntityManager, tenantId: string, event: ScanEvent): Promise<void> {
    const state: EarlyScanState = { status: 'completed' };
    await this.followed(manager, tenantId, event, state, (rows) => this.applyFinished(manager, rows, event.scanId, state));
  }

  async scanFailed(manager: EntityManager, tenantId: string, event: ScanEvent & { error: ScanErrorDto }): Promise<void> {
    const state: EarlyScanState = { status: 'failed', error: event.error };
    await this.followed(manager, tenantId, event, state, (rows) => this.applyFinished(manager, rows, event.scanId, state));
  }

  /**
   * Applies a scan event to the statuses following the scan, or keeps it for its ScanAccepted.
   * Scans nobody asked for by ScanRequested (`followed: false`: API, bulk, schedules) are skipped
   * at once; only older schedulers leave the flag out.
   */
  private async followed(
    manager: EntityManager,
    tenantId: string,
    { scanId, followed }: ScanEvent,
    state: EarlyScanState,
    apply: (rows: StatusRow[]) => Promise<void>,
  ): Promise<void> {
    if (followed === false) return;
    await this.early.lock(manager, scanId);
    const rows = await this.rowsOfScan(manager, tenantId, scanId);
    if (rows.length > 0) await apply(rows);
    else await this.early.record(manager, tenantId, scanId, state);
  }

  private async applyStarted(manager: EntityManager, rows: StatusRow[]): Promise<void> {
    for (const row of rows) {
      if (row.status === SecurityStatus.Queued) await this.update(manager, row, { status: SecurityStatus.InProgress });
    }
  }

  private async applyFinished(
    manager: EntityManager,
    rows: StatusRow[],
    scanId: string,
    state: Exclude<EarlyScanState, { status: 'running' }>,
  ): Promise<void> {
    for (const row of rows) {
      if (state.status === 'completed') {
        await this.update(manager, row, {
          status: SecurityStatus.Completed,
          reason: null,
          message: null,
          lastCompletedScanId: scanId,
          retryAt: null,
        });
      } else {
        await this.failed(manager, row, state.error);
      }
    }
  }

  /**
   * `layers_unavailable` waits for ManifestComplete (which asks again at once when every blob was
   * placed before the scan failed: see failedWhileCompleting). Other failures are asked again
   * after a delay, up to STATUS_MAX_SCANS scans. An image over the worker's limits or analysis
   * budgets (`layer_too_large`, `analysis_limit_exceeded`) would only fail again: it is
   * `layer_too_large` at once, the reason saying which.
   */
  private async failed(manager: EntityManager, row: StatusRow, error: ScanErrorDto): Promise<void> {
    if (error.code === ScanErrorCode.LayersUnavailable) {
      await this.update(manager, row, {
        status: SecurityStatus.Unsupported,
        reason: UnsupportedReason.LayersUnavailable,
        message: error.message,
      });
    } else if (error.code === ScanErrorCode.LayerTooLarge || error.code === ScanErrorCode.AnalysisLimitExceeded) {
      await this.update(manager, row, { status: SecurityStatus.LayerTooLarge, reason: error.code, message: error.message });
    } else if (row.attempts < this.env.STATUS_MAX_SCANS) {
      const retryAt = new Date(Date.now() + this.env.STATUS_RETRY_DELAY_SECONDS * 1000);
      await this.update(manager, row, { status: SecurityStatus.Failed, reason: error.code, message: error.message, retryAt });
    } else {
      await this.update(manager, row, {
        status: SecurityStatus.RetriesExhausted,
        reason: error.code,
        message: error.message,
        retryAt: null,
      });
    }
  }

  /**
   * Failed manifests whose retry is due, and requests the tenant's rate deferred, asked again (at
   * most `limit`, locked for this transaction). A deferred request of a complete manifest is a
   * `manifest_complete` scan, as it would have been.
   */
  async retryDue(manager: EntityManager, limit: number): Promise<number> {
    const due = await manager
      .getRepository(ManifestSecurityStatusEntity)
      .createQueryBuilder('s')
      .where(`(s.status = :failed OR (s.status = :queued AND s.reason = :limited)) AND s.retry_at <= now()`, {
        failed: SecurityStatus.Failed,
        queued: SecurityStatus.Queued,
        limited: RATE_LIMITED,
      })
      .orderBy('s.retry_at')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
    for (const row of due) {
      const complete = row.status === SecurityStatus.Queued && row.cacheComplete;
      await this.requestScan(manager, row, complete ? ScanTrigger.ManifestComplete : ScanTrigger.ManifestCached);
    }
    return due.length;
  }

  private async requestScan(
    manager: EntityManager,
    row: StatusRow,
    trigger: ScanTrigger,
    options: { reset?: boolean } = {},
  ): Promise<void> {
    const rate = await this.rate.take(manager, row.tenantId);
    if (!rate.allowed) {
      // Nothing is lost: the status says why it waits, and the retry timer asks once the rate allows.
      deferred.inc();
      await this.update(manager, row, {
        status: SecurityStatus.Queued,
        reason: RATE_LIMITED,
        message: rate.message,
        requestId: null,
        scanId: null,
        retryAt: rate.retryAt,
        ...(options.reset ? { attempts: 0 } : {}),
      });
      return;
    }
    const requestId = uuidv7();
    await this.outbox.add(manager, {
      type: Events.ScanRequested,
      tenantId: row.tenantId,
      payload: {
        requestId,
        image: `${row.upstream}/${row.repository}@${row.manifestDigest}`,
        trigger,
        // A `manifest_complete` scan must not be absorbed by a running scan that is about to fail.
        forceRescan: trigger === ScanTrigger.ManifestComplete,
        viaCache: true,
      },
    });
    requests.inc({ trigger });
    await this.update(manager, row, {
      status: SecurityStatus.Queued,
      requestId,
      scanId: null,
      attempts: options.reset ? 1 : row.attempts + 1,
      retryAt: null,
      ...(options.reset || row.reason === RATE_LIMITED ? { reason: null, message: null } : {}),
    });
  }

  private async lockOrCreate(
    manager: EntityManager,
    key: ManifestKey,
    mediaType: string | null,
  ): Promise<{ row: StatusRow; created: boolean }> {
    const inserted = (await manager.query(
      `INSERT INTO status.manifest_security_status (id, tenant_id, upstream, repository, manifest_digest, media_type, status)
       VALUES ($1, $2, $3, $4, $5, $6, 'queued')
       ON CONFLICT (tenant_id, upstream, repository, manifest_digest) DO NOTHING RETURNING id`,
      [uuidv7(), key.tenantId, key.upstream, key.repository, key.manifestDigest, mediaType],
    )) as { id: string }[];
    const row = await manager.getRepository(ManifestSecurityStatusEntity).findOneOrFail({
      where: key,
      lock: { mode: 'pessimistic_write' },
    });
    if (inserted.length === 0 && mediaType && !row.mediaType) await this.update(manager, row, { mediaType });
    return { row, created: inserted.length > 0 };
  }

  private rowsOfScan(manager: EntityManager, tenantId: string, scanId: string): Promise<StatusRow[]> {
    return manager.getRepository(ManifestSecurityStatusEntity).find({ where: { tenantId, scanId }, lock: { mode: 'pessimistic_write' } });
  }

  private async update(manager: EntityManager, row: StatusRow, changes: Partial<StatusRow>): Promise<void> {
    Object.assign(row, changes, { updatedAt: new Date() });
    await manager.getRepository(ManifestSecurityStatusEntity).update({ id: row.id }, { ...changes, updatedAt: row.updatedAt });
  }
}
