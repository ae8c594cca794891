/** `healthy` and `degraded` answer 200, `stopped` 503: scans requested now would not run. */
export type PlatformState = 'healthy' | 'degraded' | 'stopped';

export interface ComponentHealth {
  readonly name: string;
  /** `degraded`: a probed service that is ready but says it is not well (its event loop stalled lately). */
  readonly status: 'up' | 'degraded' | 'down';
  readonly detail: string;
}

/** What the gateway could read about the scheduler's side; absent when the database could not be read. */
export interface SchedulerFacts {
  readonly instances: number;
  /** null when no scheduler replica is live to look. */
  readonly workerCount: number | null;
  readonly queueDepth: number;
  readonly activeScans: number;
  readonly finishedRecently: number;
  readonly failedRecently: number;
}

export interface HealthLimits {
  readonly maxQueueDepth: number;
  readonly maxErrorRate: number;
  /** Fewer finished scans than this in the window say nothing about an error rate. */
  readonly minFinishedForErrorRate: number;
  readonly windowMinutes: number;
}

export interface HealthInput {
  /** Set when the database could not be read: nothing else about the scheduler is known then. */
  readonly databaseError?: string;
  readonly scheduler?: SchedulerFacts;
  /** Services probed by URL. */
  readonly probed: readonly ComponentHealth[];
}

export interface HealthAssessment {
  readonly status: PlatformState;
  readonly components: ComponentHealth[];
  readonly reasons: string[];
  readonly errorRate: number | null;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * `stopped` when scans cannot run at all (no scheduler, no worker, no database); `degraded` when
 * they run but something is wrong (a service down or degraded, a backlog or an error rate over its limit).
 * Every reason found is listed, whatever the verdict.
 */
export function assessHealth(input: HealthInput, limits: HealthLimits): HealthAssessment {
  const stopped: string[] = [];
  const degraded: string[] = [];
  const components: ComponentHealth[] = [{ name: 'gateway', status: 'up', detail: 'answering' }];
  const facts = input.scheduler;
  let errorRate: number | null = null;

  if (input.databaseError !== undefined || !facts) {
    const detail = `cannot be read: ${input.databaseError ?? 'unknown error'}`;
    components.push({ name: 'database', status: 'down', detail });
    components.push({ name: 'scan-scheduler', status: 'down', detail: 'unknown: the database cannot be read' });
    components.push({ name: 'scanner-worker', status: 'down', detail: 'unknown: the database cannot be read' });
    stopped.push(`the database ${detail}`);
  } else {
    components.push({ name: 'database', status: 'up', detail: 'readable' });
    const schedulerUp = facts.instances > 0;
    components.push({
      name: 'scan-scheduler',
      status: schedulerUp ? 'up' : 'down',
      detail: schedulerUp ? `${plural(facts.instances, 'instance')} with a recent heartbeat` : 'no instance sent a heartbeat recently',
    });
    if (!schedulerUp) stopped.push('no scan-scheduler instance is running');
    const workers = facts.workerCount ?? 0;
    components.push({
      name: 'scanner-worker',
      status: workers > 0 ? 'up' : 'down',
      detail:
        facts.workerCount === null
          ? 'unknown: no scheduler is running to count them'
          : `${plural(workers, 'consumer')} of the scan work queue`,
    });
    if (schedulerUp && workers === 0) stopped.push('no scanner-worker consumes the scan work queue');
    if (facts.queueDepth > limits.maxQueueDepth) {
      degraded.push(`${plural(facts.queueDepth, 'scan')} wait in the queue, more than HEALTH_MAX_QUEUE_DEPTH (${limits.maxQueueDepth})`);
    }
    if (facts.finishedRecently > 0) errorRate = facts.failedRecently / facts.finishedRecently;
    if (errorRate !== null && facts.finishedRecently >= limits.minFinishedForErrorRate && errorRate > limits.maxErrorRate) {
      degraded.push(
        `${facts.failedRecently} of ${plural(facts.finishedRecently, 'scan')} finished in the last ${limits.windowMinutes} minutes failed, ` +
          `more than HEALTH_MAX_ERROR_RATE (${limits.maxErrorRate})`,
      );
    }
  }
  for (const probed of input.probed) {
    components.push(probed);
    if (probed.status !== 'up') degraded.push(`${probed.name} is ${probed.status}: ${probed.detail}`);
  }
  const status: PlatformState = stopped.length > 0 ? 'stopped' : degraded.length > 0 ? 'degraded' : 'healthy';
  return { status, components, reasons: [...stopped, ...degraded], errorRate };
}
