import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Events, ScanJobKind } from '@vulnscan/contracts';
import { Outbox } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { ScanEntity } from '@vulnscan/scheduler-entities';
import { SchedulerEnv } from '../env';
import { chooseCandidates, DispatchCandidate, DispatchLimits, dispatchRoom, InFlightCount } from './dispatch-choice';

interface ClaimedRow {
  id: string;
  tenant_id: string;
  image: string;
  kind: ScanEntity['kind'];
  attempt: number;
  requested_platform: ScanEntity['requestedPlatform'];
  via_cache: boolean;
  manifest_digest: string | null;
}

const toJob = (row: ClaimedRow) => ({
  id: row.id,
  tenantId: row.tenant_id,
  image: row.image,
  kind: row.kind,
  attempt: row.attempt,
  requestedPlatform: row.requested_platform,
  viaCache: row.via_cache,
  manifestDigest: row.manifest_digest,
});

/** The backlog: queued, not handed to a worker, due, and not for a registry at its limit. */
const DUE = `s.status = 'queued' AND s.dispatched_at IS NULL AND s.next_attempt_at <= now() AND s.registry <> ALL($2::text[])`;

/**
 * The next $1 scans to hand out: API scans first, then tenants in turn (each tenant's oldest,
 * then each one's second oldest, ...). Only the first $1 of each tenant's API and background
 * backlog are read, through the backlog indexes, and the tenants are found with a loose index
 * scan, so the cost follows the number of tenants and $1, not the size of the backlog.
 */
const CANDIDATES_SQL = `
  WITH RECURSIVE tenants(tenant_id) AS (
    (SELECT tenant_id FROM scheduler.scans WHERE status = 'queued' AND dispatched_at IS NULL ORDER BY tenant_id LIMIT 1)
    UNION ALL
    SELECT (SELECT s.tenant_id FROM scheduler.scans s
            WHERE s.status = 'queued' AND s.dispatched_at IS NULL AND s.tenant_id > t.tenant_id ORDER BY s.tenant_id LIMIT 1)
    FROM tenants t WHERE t.tenant_id IS NOT NULL
  )
  SELECT c.id, c.registry FROM tenants t
  CROSS JOIN LATERAL (
    SELECT mine.*, row_number() OVER (PARTITION BY mine.background ORDER BY mine.created_at) AS turn FROM (
      (SELECT s.id, s.registry, s.created_at, false AS background FROM scheduler.scans s
       WHERE s.tenant_id = t.tenant_id AND s.trigger = 'api' AND ${DUE} ORDER BY s.created_at LIMIT $1)
      UNION ALL
      (SELECT s.id, s.registry, s.created_at, true AS background FROM scheduler.scans s
       WHERE s.tenant_id = t.tenant_id AND s.trigger <> 'api' AND ${DUE} ORDER BY s.created_at LIMIT $1)
    ) mine
  ) c
  WHERE t.tenant_id IS NOT NULL
  ORDER BY c.background, c.turn, c.created_at
  LIMIT $1`;

/**
 * Hands queued scans to workers within the in-flight limits (overall and per registry).
 * The backlog lives in Postgres; one transaction-scoped advisory lock serializes dispatch across
 * scheduler replicas so the limits hold. API scans go before scheduled ones, and tenants take
 * turns so one tenant's bulk rescan cannot starve another's.
 */
@Injectable()
export class Dispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Dispatcher.name);
  private running: Promise<void> | null = null;
  private again = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: SchedulerEnv,
    private readonly outbox: Outbox,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), this.env.DISPATCH_POLL_MS);
    this.timer.unref();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Coalesces wake-ups: at most one dispatch runs at a time, and one more follows if asked. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'dispatch failed; will retry on the next wake-up'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && (await this.dataSource.transaction((manager) => this.dispatchBatch(manager))) > 0) {
      // keep going while there is backlog and room
    }
  }

  /** Claims up to one batch of queued scans and queues their jobs; returns how many. */
  private async dispatchBatch(manager: EntityManager): Promise<number> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('scheduler:dispatch'))`);
    const inFlight = (await manager.query(
      `SELECT registry, count(*)::int AS n FROM scheduler.scans
       WHERE dispatched_at IS NOT NULL AND status IN ('queued', 'running') GROUP BY registry`,
    )) as InFlightCount[];
    const limits: DispatchLimits = { overall: this.env.MAX_IN_FLIGHT, perRegistry: this.env.MAX_IN_FLIGHT_PER_REGISTRY };
    const room = dispatchRoom(inFlight, limits);
    if (room.free <= 0) return 0;
    const candidates = (await manager.query(CANDIDATES_SQL, [room.candidates, room.saturated])) as DispatchCandidate[];
    const chosen = chooseCandidates(candidates, inFlight, limits);
    if (chosen.length === 0) return 0;

    const attemptDeadline = new Date(Date.now() + this.env.ATTEMPT_TIMEOUT * 1000);
    // dispatched_at is the moment of hand-out (clock_timestamp()), not now(): the start of this
    // transaction may precede other scans finishing while it waited on the dispatch lock, and the
    // recorded attempt windows would then overlap the ones whose slots they took.
    const claimed = (await manager.query(
      `WITH claimed AS (
         UPDATE scheduler.scans
         SET attempt = attempt + 1, dispatched_at = clock_timestamp(), attempt_deadline = $2, worker_id = NULL, updated_at = now(),
             timeout_at = CASE WHEN attempt = 0 THEN GREATEST(timeout_at, now() + make_interval(secs => $3)) ELSE timeout_at END
         WHERE id = ANY($1) AND status = 'queued' AND dispatched_at IS NULL
         RETURNING *
       ), attempts AS (
         INSERT INTO scheduler.scan_attempts (scan_id, attempt, status, dispatched_at)
         SELECT id, attempt, 'dispatched', dispatched_at FROM claimed
       )
       SELECT * FROM claimed`,
      [chosen, attemptDeadline, this.env.SCAN_TIMEOUT_PER_IMAGE],
    )) as ClaimedRow[];
    const scans = claimed.map(toJob);
    await this.outbox.addMany(
      manager,
      scans.map((scan) => ({
        type: Events.ScanJobQueued,
        tenantId: scan.tenantId,
        payload: {
          scanId: scan.id,
          attempt: scan.attempt,
          kind: scan.kind,
          image: scan.image,
          ...(scan.requestedPlatform ? { platform: scan.requestedPlatform } : {}),
          ...(scan.viaCache ? { viaCache: true } : {}),
          ...(scan.kind === ScanJobKind.Rematch && scan.manifestDigest ? { manifestDigest: scan.manifestDigest } : {}),
        },
      })),
    );
    return scans.length;
  }
}
