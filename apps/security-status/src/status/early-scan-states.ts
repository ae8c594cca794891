import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ScanErrorCode, ScanErrorDto } from '@vulnscan/contracts';

/** A scan's state as its events told it, before this service knew which request the scan answers. */
export type EarlyScanState = { status: 'running' } | { status: 'completed' } | { status: 'failed'; error: ScanErrorDto };

/** A row as stored: a failed state always has its error code (the table's check says so). */
type StoredState =
  | { status: 'running' | 'completed'; error_code: null; error_message: null }
  | { status: 'failed'; error_code: ScanErrorCode; error_message: string | null };

/** How long a state waits for its ScanAccepted: beyond it, none will claim it. */
const KEEP_HOURS = 24;

/**
 * The scheduler's scan events arrive in any order with its ScanAccepted (different handlers,
 * retries). An event about a scan no status follows yet is kept here; the ScanAccepted that names
 * the scan claims it and applies it. Both sides take the scan's lock first, so whichever commits
 * second sees the other's work.
 */
@Injectable()
export class EarlyScanStates {
  /** Serializes the events of one scan (transaction-scoped). */
  async lock(manager: EntityManager, scanId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('security-status:scan|' || $1))`, [scanId]);
  }

  /** Keeps the latest state: a terminal state is never replaced by a late `running`. */
  async record(manager: EntityManager, tenantId: string, scanId: string, state: EarlyScanState): Promise<void> {
    const error = state.status === 'failed' ? state.error : null;
    await manager.query(
      `INSERT INTO status.early_scan_states (scan_id, tenant_id, status, error_code, error_message) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scan_id) DO UPDATE SET status = EXCLUDED.status, error_code = EXCLUDED.error_code,
         error_message = EXCLUDED.error_message, recorded_at = now()
       WHERE early_scan_states.status = 'running'`,
      [scanId, tenantId, state.status, error?.code ?? null, error?.message ?? null],
    );
  }

  /** The state recorded for the scan, removed (a scan is accepted into a status once per request). */
  async claim(manager: EntityManager, tenantId: string, scanId: string): Promise<EarlyScanState | undefined> {
    const [rows] = (await manager.query(
      `DELETE FROM status.early_scan_states WHERE scan_id = $1 AND tenant_id = $2 RETURNING status, error_code, error_message`,
      [scanId, tenantId],
    )) as [StoredState[], number];
    const [row] = rows;
    if (!row) return undefined;
    if (row.status !== 'failed') return { status: row.status };
    return { status: 'failed', error: { code: row.error_code, message: row.error_message ?? '' } };
  }

  /** Drops states no ScanAccepted claimed in time (older schedulers do not say which scans are followed). */
  async prune(manager: EntityManager): Promise<number> {
    const [, count] = (await manager.query(`DELETE FROM status.early_scan_states WHERE recorded_at < now() - make_interval(hours => $1)`, [
      KEEP_HOURS,
    ])) as [unknown, number];
    return count;
  }
}
