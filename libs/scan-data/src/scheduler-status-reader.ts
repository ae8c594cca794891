import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A scheduler replica counts as running while its heartbeat (every 5 s) is younger than this. */
export const SCHEDULER_HEARTBEAT_FRESH_SECONDS = 15;

/**
 * Whose scans to count. Platform-wide numbers must be asked for by name, so a tenant's request
 * cannot reach them by leaving the tenant out.
 */
export type ScanCountScope = { tenantId: string } | { allTenants: true };

export interface SchedulerLiveness {
  /** Replicas with a fresh heartbeat. */
  instances: number;
  /** Consumers of the scan work queue at the freshest live heartbeat; null when no replica is live. */
  workerCount: number | null;
  lastHeartbeatAt: Date | null;
}

export interface ScheduleRuns {
  lastRunAt: Date | null;
  nextRunAt: Date | null;
}

export interface ScanBacklog {
  /** Handed to a worker and not finished. */
  active: number;
  /** Queued and not handed to a worker yet (retries waiting for their backoff included). */
  queued: number;
}

export interface ScanTotals {
  completed: number;
  failed: number;
}

interface LivenessRow {
  instances: number;
  worker_count: number | null;
  last_heartbeat_at: Date | null;
}

/**
 * Read-only view of the scheduler's operational state for the gateway's status and health
 * endpoints: replica heartbeats, schedule runs and scan counts. Ages are judged by
 * the database clock, the one the heartbeats are written with.
 */
@Injectable()
export class SchedulerStatusReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async liveness(): Promise<SchedulerLiveness> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS instances,
              (array_agg(worker_count ORDER BY heartbeat_at DESC))[1] AS worker_count,
              max(heartbeat_at) AS last_heartbeat_at
       FROM scheduler.scheduler_instances
       WHERE heartbeat_at > now() - make_interval(secs => $1)`,
      [SCHEDULER_HEARTBEAT_FRESH_SECONDS],
    )) as LivenessRow[];
    return { instances: row.instances, workerCount: row.worker_count, lastHeartbeatAt: row.last_heartbeat_at };
  }

  /** The latest run of any of the scope's schedules, and the next planned one of an enabled schedule. */
  async scheduleRuns(scope: ScanCountScope): Promise<ScheduleRuns> {
    const { condition, params } = scopeCondition(scope);
    const [row] = (await this.dataSource.query(
      `SELECT max(last_run_at) AS last_run_at, min(next_run_at) FILTER (WHERE enabled) AS next_run_at
       FROM scheduler.schedules WHERE true${condition}`,
      params,
    )) as { last_run_at: Date | null; next_run_at: Date | null }[];
    return { lastRunAt: row.last_run_at, nextRunAt: row.next_run_at };
  }

  /** Read through the partial index of active scans: cheap however long the history. */
  async backlog(scope: ScanCountScope): Promise<ScanBacklog> {
    const { condition, params } = scopeCondition(scope);
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE dispatched_at IS NOT NULL)::int AS active,
              count(*) FILTER (WHERE dispatched_at IS NULL AND status = 'queued')::int AS queued
       FROM scheduler.scans WHERE status IN ('queued', 'running')${condition}`,
      params,
    )) as ScanBacklog[];
    return row;
  }

  /** Finished scans still kept (retention deletes old ones): one pass over the scope's history. */
  async totals(scope: ScanCountScope): Promise<ScanTotals> {
    const { condition, params } = scopeCondition(scope);
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'failed')::int AS failed
       FROM scheduler.scans WHERE status IN ('completed', 'failed')${condition}`,
      params,
    )) as ScanTotals[];
    return row;
  }

  /** Scans of every tenant that completed or failed in the last `seconds` (canceled ones are nobody's error). */
  async recentOutcomes(seconds: number): Promise<ScanTotals> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'failed')::int AS failed
       FROM scheduler.scans
       WHERE status IN ('completed', 'failed') AND completed_at > now() - make_interval(secs => $1)`,
      [seconds],
    )) as ScanTotals[];
    return row;
  }
}

function scopeCondition(scope: ScanCountScope): { condition: string; params: string[] } {
  return 'tenantId' in scope ? { condition: ' AND tenant_id = $1', params: [scope.tenantId] } : { condition: '', params: [] };
}
