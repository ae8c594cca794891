import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Channel } from 'amqplib';
import { DataSource } from 'typeorm';
import { AmqpConnection, MESSAGING_OPTIONS, ResolvedMessagingOptions, TopologyNames } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { SchedulerEnv } from '../env';
import { SchedulerGauges } from './scan-metrics';

/** Readers call a replica running while its heartbeat is younger than three of these. */
export const HEARTBEAT_INTERVAL_MS = 5000;

/** Rows of replicas that died without saying goodbye (SIGKILL, a lost node) are dropped after this. */
const STALE_ROW_SECONDS = 3600;

/** The work queue shared by all scanner-workers (see the worker's and the scheduler's `queues`). */
const SCAN_WORK_QUEUE = 'scan-jobs';

interface BacklogRow {
  api: number;
  background: number;
  in_flight: number;
}

/**
 * This replica's row in `scheduler.scheduler_instances`, refreshed every 5 s with the number of
 * workers consuming the scan work queue, and removed on shutdown; the gateway's status and health
 * endpoints read these rows. Each beat also sets the backlog gauges.
 */
@Injectable()
export class SchedulerHeartbeat implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SchedulerHeartbeat.name);
  private readonly instanceId: string;
  private readonly workQueue: string;
  private readonly startedAt = new Date();
  private timer?: NodeJS.Timeout;
  private beating: Promise<void> | null = null;
  private channel?: Channel;
  private workerCount = 0;
  private stopped = false;
  /** The last failure logged, per kind: the same one repeats every beat while a dependency is away. */
  private readonly failures = new Map<'beat' | 'workers', string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: SchedulerEnv,
    @Inject(MESSAGING_OPTIONS) messaging: ResolvedMessagingOptions,
    private readonly amqp: AmqpConnection,
  ) {
    // The platform resolves INSTANCE_ID (or hostname:pid) once, for messaging and for this row.
    this.instanceId = messaging.instanceId;
    this.workQueue = new TopologyNames(messaging).workQueue(SCAN_WORK_QUEUE);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
    this.tick();
  }

  /** Before the database and the broker connection close (their hooks run after this one). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.beating;
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
    await this.dataSource
      .query(`DELETE FROM scheduler.scheduler_instances WHERE instance_id = $1`, [this.instanceId])
      .catch((error: unknown) => this.logger.warn({ err: error }, "could not remove this replica's heartbeat row; it expires on its own"));
  }

  private tick(): void {
    if (this.stopped || this.beating) return;
    this.beating = this.beat()
      .then(() => this.recovered('beat', 'scheduler heartbeat recorded again'))
      .catch((error: unknown) => this.failed('beat', error, 'could not record the scheduler heartbeat'))
      .finally(() => (this.beating = null));
  }

  async beat(): Promise<void> {
    const workers = await this.countWorkers();
    await this.dataSource.query(
      `INSERT INTO scheduler.scheduler_instances (instance_id, started_at, heartbeat_at, scan_enabled, worker_count)
       VALUES ($1, $2, now(), $3, $4)
       ON CONFLICT (instance_id) DO UPDATE
         SET heartbeat_at = now(), scan_enabled = EXCLUDED.scan_enabled, worker_count = EXCLUDED.worker_count`,
      [this.instanceId, this.startedAt, this.env.SCAN_ENABLED, workers],
    );
    await this.dataSource.query(`DELETE FROM scheduler.scheduler_instances WHERE heartbeat_at < now() - make_interval(secs => $1)`, [
      STALE_ROW_SECONDS,
    ]);
    const [backlog] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE dispatched_at IS NULL AND status = 'queued' AND trigger = 'api')::int AS api,
              count(*) FILTER (WHERE dispatched_at IS NULL AND status = 'queued' AND trigger <> 'api')::int AS background,
              count(*) FILTER (WHERE dispatched_at IS NOT NULL)::int AS in_flight
       FROM scheduler.scans WHERE status IN ('queued', 'running')`,
    )) as BacklogRow[];
    SchedulerGauges.queueDepth.set({ trigger_class: 'api' }, backlog.api);
    SchedulerGauges.queueDepth.set({ trigger_class: 'background' }, backlog.background);
    SchedulerGauges.inFlight.set(backlog.in_flight);
    SchedulerGauges.workers.set(workers);
  }

  /**
   * Consumers of the work queue, by a passive declare. Without a broker connection this replica
   * cannot hand out work, so no worker counts; a failed look on a live connection keeps the last
   * number until the next beat.
   */
  private async countWorkers(): Promise<number> {
    if (!this.amqp.isConnected()) {
      this.workerCount = 0;
      return 0;
    }
    try {
      const { consumerCount } = await (await this.workQueueChannel()).checkQueue(this.workQueue);
      this.workerCount = consumerCount;
      this.recovered('workers', 'scan workers counted again');
    } catch (error) {
      this.failed('workers', error, 'could not count the scan workers');
    }
    return this.workerCount;
  }

  /** Beats never overlap, so one channel is opened at a time; a failed passive declare closes it. */
  private async workQueueChannel(): Promise<Channel> {
    if (this.channel) return this.channel;
    const channel = await this.amqp.createChannel();
    channel.once('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    this.channel = channel;
    return channel;
  }

  private failed(kind: 'beat' | 'workers', error: unknown, message: string): void {
    const text = error instanceof Error ? error.message : String(error);
    if (this.failures.get(kind) === text) return;
    this.failures.set(kind, text);
    this.logger.warn({ err: error }, message);
  }

  private recovered(kind: 'beat' | 'workers', message: string): void {
    if (this.failures.delete(kind)) this.logger.log(message);
  }
}
