import { Controller, Get, Inject, Module, DynamicModule } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { EventLoopLagMonitor, processEventLoopLag } from './event-loop-lag';

/** A dependency the service cannot work without (database, broker). Throws when it is down. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
/** The EventLoopLagMonitor health judges (the process's own, unless a test gives another). */
export const EVENT_LOOP_LAG = Symbol('EVENT_LOOP_LAG');
export const EVENT_LOOP_LAG_THRESHOLD_MS = Symbol('EVENT_LOOP_LAG_THRESHOLD_MS');

/** How late the event loop has been lately, beside the indicators of a health answer. */
export type EventLoopHealth = {
  status: 'up' | 'degraded';
  recent_max_lag_ms: number;
  threshold_ms: number;
};

type Indicators = Partial<Record<string, { status: string; [detail: string]: unknown }>>;

/** Terminus's answer, or `degraded`: working, but its event loop stalled past the threshold lately. */
export interface ServiceHealth {
  status: HealthCheckResult['status'] | 'degraded';
  info?: Indicators;
  error?: Indicators;
  details: Indicators & { event_loop: EventLoopHealth };
}

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(EVENT_LOOP_LAG) private readonly lag: EventLoopLagMonitor,
    @Inject(EVENT_LOOP_LAG_THRESHOLD_MS) private readonly lagThresholdMs: number,
  ) {}

  /**
   * Liveness checks the process only: a database outage must not get every pod restarted. A slow
   * loop says `degraded` but still answers 200: restarting a busy process loses its work and
   * does not make the load go away.
   */
  @Get('live')
  @HealthCheck()
  async live(): Promise<ServiceHealth> {
    return this.withEventLoop(await this.health.check([]));
  }

  /**
   * Readiness is about dependencies (503 when one is down). A slow loop says `degraded` with 200:
   * taking replicas out of rotation for being busy moves their load onto the others (or, with one
   * replica, takes the API away), while one that is really stuck fails the probe's timeout anyway.
   */
  @Get('ready')
  @HealthCheck()
  async ready(): Promise<ServiceHealth> {
    const result = await this.health.check(
      this.checks.map(({ name, check }) => async () => {
        const session = this.indicators.check(name);
        try {
          await check();
          return session.up();
        } catch (error) {
          return session.down({ message: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
    return this.withEventLoop(result);
  }

  /** Adds `event_loop` to a passing check, and turns it `degraded` while the loop has stalled past the threshold. */
  private withEventLoop(result: HealthCheckResult): ServiceHealth {
    const degraded = this.lag.isOver(this.lagThresholdMs);
    const eventLoop: EventLoopHealth = {
      status: degraded ? 'degraded' : 'up',
      recent_max_lag_ms: Math.round(this.lag.recentMaxSeconds() * 1000),
      threshold_ms: this.lagThresholdMs,
    };
    const details = { ...result.details, event_loop: eventLoop };
    if (!degraded) return { ...result, info: { ...result.info, event_loop: eventLoop }, details };
    return { ...result, status: result.status === 'ok' ? 'degraded' : result.status, details };
  }
}

export interface HealthOptions {
  /** Health says `degraded` while the event loop stalled longer than this in the last few seconds. */
  eventLoopLagThresholdMs: number;
}

@Module({})
export class HealthModule {
  static forChecks(
    provider: { useFactory: (...args: never[]) => ReadinessCheck[]; inject: unknown[] },
    options: HealthOptions,
  ): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        { provide: READINESS_CHECKS, useFactory: provider.useFactory, inject: provider.inject as never[] },
        { provide: EVENT_LOOP_LAG, useFactory: processEventLoopLag },
        { provide: EVENT_LOOP_LAG_THRESHOLD_MS, useValue: options.eventLoopLagThresholdMs },
      ],
    };
  }
}
