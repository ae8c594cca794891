import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { SchedulerEnv } from '../env';

export interface PeriodicJob {
  /** Unique name; its row in `scheduler.periodic_jobs` is the lease. */
  name: string;
  intervalMs: number;
  /** How often replicas look whether the job is due (defaults to the interval, at most 5 s). */
  pollMs?: number;
  run: () => Promise<void>;
}

/**
 * Runs periodic jobs so that N scheduler replicas run each period once: a replica runs a job only
 * after its conditional UPDATE moved the job's `next_run_at` past now (Postgres decides the
 * winner), and records when, by whom, how long and with what error it ran.
 */
@Injectable()
export class PeriodicJobs implements OnApplicationShutdown {
  private readonly logger = new Logger(PeriodicJobs.name);
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  readonly instanceId: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) env: SchedulerEnv,
  ) {
    this.instanceId = env.INSTANCE_ID ?? `${hostname()}:${process.pid}`;
  }

  register(job: PeriodicJob): void {
    const poll = job.pollMs ?? Math.min(job.intervalMs, 5000);
    let busy = false;
    const tick = () => {
      if (this.stopped || busy) return;
      busy = true;
      const run: Promise<void> = this.runIfDue(job)
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error, job: job.name }, 'could not claim a periodic job'))
        .finally(() => {
          busy = false;
          this.running.delete(run);
        });
      this.running.add(run);
    };
    const timer = setInterval(tick, poll);
    timer.unref();
    this.timers.push(timer);
    setImmediate(tick);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.timers.forEach(clearInterval);
    await Promise.all(this.running);
  }

  /** Claims and runs the job if it is due; true when this replica ran it. */
  async runIfDue(job: PeriodicJob): Promise<boolean> {
    const claimed = await this.claim(job);
    if (!claimed) return false;
    const started = Date.now();
    let failure: string | null = null;
    try {
      await job.run();
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      this.logger.warn({ err: error, job: job.name }, 'periodic job failed; it runs again next period');
    }
    await this.dataSource
      .query(`UPDATE scheduler.periodic_jobs SET last_duration_ms = $2, last_error = $3 WHERE name = $1`, [
        job.name,
        Date.now() - started,
        failure,
      ])
      .catch((error: unknown) => this.logger.warn({ err: error, job: job.name }, 'could not record a periodic run'));
    return true;
  }

  private async claim(job: PeriodicJob): Promise<boolean> {
    await this.dataSource.query(
      `INSERT INTO scheduler.periodic_jobs (name, next_run_at) VALUES ($1, now()) ON CONFLICT (name) DO NOTHING`,
      [job.name],
    );
    const [, updated] = (await this.dataSource.query(
      `UPDATE scheduler.periodic_jobs
       SET next_run_at = now() + make_interval(secs => $2::double precision / 1000), last_run_at = now(), last_run_by = $3
       WHERE name = $1 AND next_run_at <= now()`,
      [job.name, job.intervalMs, this.instanceId],
    )) as [unknown, number];
    return updated === 1;
  }
}
