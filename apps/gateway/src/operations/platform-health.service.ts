import { Inject, Injectable, Logger } from '@nestjs/common';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { SchedulerStatusReader } from '@vulnscan/scan-data';
import { GatewayEnv } from '../env';
import { assessHealth, ComponentHealth, HealthAssessment, HealthLimits, SchedulerFacts } from './health-assessment';
import { HealthTarget, parseHealthTargets } from './health-targets';

/** The window of the error rate. */
const ERROR_RATE_WINDOW_MINUTES = 15;
const MIN_FINISHED_FOR_ERROR_RATE = 10;

/**
 * One assessment serves every request for this long: the endpoint needs no key, so pollers
 * (load balancers, status pages, anyone) cannot turn it into database load.
 */
const REUSE_MS = 2000;

export interface HealthReport extends HealthAssessment {
  readonly checkedAt: Date;
  readonly scheduler?: SchedulerFacts;
  readonly limits: HealthLimits;
}

/** The platform's health as a platform team sees it: every service, the backlog and the error rate. */
@Injectable()
export class PlatformHealth {
  private readonly logger = new Logger(PlatformHealth.name);
  private readonly targets: HealthTarget[];
  private readonly limits: HealthLimits;
  private latest?: { at: number; report: Promise<HealthReport> };
  private lastStatus?: HealthReport['status'];

  constructor(
    private readonly reader: SchedulerStatusReader,
    @Inject(SERVICE_ENV) private readonly env: GatewayEnv,
  ) {
    this.targets = parseHealthTargets(env.HEALTH_CHECK_URLS);
    this.limits = {
      maxQueueDepth: env.HEALTH_MAX_QUEUE_DEPTH,
      maxErrorRate: env.HEALTH_MAX_ERROR_RATE,
      minFinishedForErrorRate: MIN_FINISHED_FOR_ERROR_RATE,
      windowMinutes: ERROR_RATE_WINDOW_MINUTES,
    };
  }

  report(): Promise<HealthReport> {
    const now = Date.now();
    if (!this.latest || now - this.latest.at >= REUSE_MS) this.latest = { at: now, report: this.assess() };
    return this.latest.report;
  }

  private async assess(): Promise<HealthReport> {
    const [facts, probed] = await Promise.all([this.schedulerFacts(), Promise.all(this.targets.map((target) => this.probe(target)))]);
    const assessment = assessHealth({ ...facts, probed }, this.limits);
    if (assessment.status !== this.lastStatus) {
      const fields = { status: assessment.status, was: this.lastStatus ?? null, reasons: assessment.reasons };
      if (assessment.status !== 'healthy') this.logger.warn(fields, `platform ${assessment.status}`);
      else if (this.lastStatus) this.logger.log(fields, 'platform healthy again');
      this.lastStatus = assessment.status;
    }
    return { ...assessment, checkedAt: new Date(), scheduler: facts.scheduler, limits: this.limits };
  }

  private async schedulerFacts(): Promise<{ scheduler?: SchedulerFacts; databaseError?: string }> {
    try {
      const platform = { allTenants: true } as const;
      const [liveness, backlog, recent] = await Promise.all([
        this.reader.liveness(),
        this.reader.backlog(platform),
        this.reader.recentOutcomes(ERROR_RATE_WINDOW_MINUTES * 60),
      ]);
      return {
        scheduler: {
          instances: liveness.instances,
          workerCount: liveness.workerCount,
          queueDepth: backlog.queued,
          activeScans: backlog.active,
          finishedRecently: recent.completed + recent.failed,
          failedRecently: recent.failed,
        },
      };
    } catch (error) {
      return { databaseError: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Up when its readiness answers 2xx within HEALTH_CHECK_TIMEOUT_MS. */
  private async probe(target: HealthTarget): Promise<ComponentHealth> {
    const timeoutMs = this.env.HEALTH_CHECK_TIMEOUT_MS;
    try {
      const response = await fetch(target.url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      if (!response.ok) {
        await response.body?.cancel();
        return { name: target.name, status: 'down', detail: `readiness answered ${response.status}` };
      }
      const lag = degradedEventLoop(await response.json().catch(() => undefined));
      return lag
        ? { name: target.name, status: 'degraded', detail: `ready, but its event loop ${lag}` }
        : { name: target.name, status: 'up', detail: 'ready' };
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      const detail = name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `unreachable: ${causeOf(error)}`;
      return { name: target.name, status: 'down', detail };
    }
  }
}

/**
 * How a readiness answer of ours (`status: degraded`, `details.event_loop`) says the service's event
 * loop stalled lately; undefined for any other answer, which is plain `ready`.
 */
function degradedEventLoop(body: unknown): string | undefined {
  const answer = body as { status?: unknown; details?: { event_loop?: { recent_max_lag_ms?: unknown; threshold_ms?: unknown } } } | null;
  if (answer?.status !== 'degraded') return undefined;
  const loop = answer.details?.event_loop;
  if (typeof loop?.recent_max_lag_ms !== 'number' || typeof loop.threshold_ms !== 'number') return 'is degraded';
  return `stalled ${loop.recent_max_lag_ms} ms in the last five seconds (over ${loop.threshold_ms} ms)`;
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, a DNS error) is its cause. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
