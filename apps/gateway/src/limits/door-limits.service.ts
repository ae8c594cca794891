import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GatewayErrorCode } from '@vulnscan/contracts';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import type { Principal } from '../auth/api-keys.service';
import { GatewayEnv } from '../env';
import { apiError } from '../errors';
import { LimitMetrics, LimitName, UnauthenticatedReason } from './limit-metrics';
import { PostgresWindowStore, WINDOW_SECONDS } from './rate-windows.store';
import { SharedWindowCounter, Verdict } from './window-counter';

/** How often a replica offers to delete ended windows (one replica does, under an advisory lock). */
const PRUNE_INTERVAL_MS = WINDOW_SECONDS * 1000;
/** A store that keeps failing is logged at most this often. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * The limits at the API's door, shared by every gateway replica through Postgres: requests per
 * API key and minute (API_RATE_LIMIT_PER_MINUTE), and failed authentications per client address
 * and minute (AUTH_FAILURE_LIMIT_PER_MINUTE), checked before an unknown key is looked up. A refusal
 * is a 429 with Retry-After (the seconds left in the minute). When the counts cannot be reached the
 * request goes through: the API needs the database anyway, and a limit must not be the outage.
 */
@Injectable()
export class DoorLimits implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DoorLimits.name);
  private readonly store: PostgresWindowStore;
  private readonly perKey: SharedWindowCounter;
  private readonly authFailures: SharedWindowCounter;
  private readonly unauthenticated = LimitMetrics.unauthenticated();
  private readonly refused = LimitMetrics.refused();
  private readonly storeErrors = LimitMetrics.storeErrors();
  private lastErrorLogged = 0;
  private pruneTimer?: NodeJS.Timeout;

  constructor(@InjectDataSource() dataSource: DataSource, @Inject(SERVICE_ENV) env: GatewayEnv) {
    this.store = new PostgresWindowStore(dataSource);
    this.perKey = new SharedWindowCounter(this.store, env.API_RATE_LIMIT_PER_MINUTE);
    this.authFailures = new SharedWindowCounter(this.store, env.AUTH_FAILURE_LIMIT_PER_MINUTE);
  }

  onApplicationBootstrap(): void {
    if (!this.perKey.enabled && !this.authFailures.enabled) return;
    // at start too: windows left by replicas that stopped go without waiting a minute
    const prune = () =>
      void this.store.prune().catch((error: unknown) => this.logger.warn({ err: error }, 'ended rate windows could not be deleted'));
    prune();
    this.pruneTimer = setInterval(prune, PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.pruneTimer);
  }

  /** Counts a request of an authenticated key; throws the 429 when the key is over its limit. */
  async admitKey(principal: Principal): Promise<void> {
    const verdict = await this.verdictOf(this.perKey.hit(`key:${principal.keyId}`));
    if (!verdict.allowed) {
      this.refused.inc({ limit: 'api_key' satisfies LimitName });
      throw this.tooManyRequests(
        `This API key is over its limit of ${this.perKey.limit} requests per minute (API_RATE_LIMIT_PER_MINUTE).`,
        verdict.retryAfterSeconds,
      );
    }
  }

  /** Before a key is looked up in the database: throws the 429 when the address has failed too often this minute. */
  async beforeKeyLookup(address: string): Promise<void> {
    const verdict = await this.verdictOf(this.authFailures.check(`auth:${address}`));
    if (!verdict.allowed) throw this.tooManyFailures(verdict.retryAfterSeconds);
  }

  /**
   * A request the API answers 401. An invalid key counts against its address (it cost a lookup, and
   * is what guessing looks like); the failure that takes the address over its limit, and any after
   * it (a key remembered as invalid is not looked up again), is answered 429 instead. A missing key
   * is only counted in the metric: it costs nothing and guesses nothing.
   */
  async authenticationFailed(address: string, reason: Exclude<UnauthenticatedReason, 'too_many_failures'>): Promise<void> {
    if (reason === 'invalid_key') {
      const verdict = await this.verdictOf(this.authFailures.hit(`auth:${address}`));
      if (!verdict.allowed) throw this.tooManyFailures(verdict.retryAfterSeconds);
    }
    this.unauthenticated.inc({ reason });
  }

  private tooManyFailures(retryAfterSeconds: number) {
    this.unauthenticated.inc({ reason: 'too_many_failures' satisfies UnauthenticatedReason });
    this.refused.inc({ limit: 'auth_failures' satisfies LimitName });
    return this.tooManyRequests(
      `Too many failed authentications from this address: at most ${this.authFailures.limit} per minute (AUTH_FAILURE_LIMIT_PER_MINUTE).`,
      retryAfterSeconds,
    );
  }

  private tooManyRequests(detail: string, retryAfterSeconds: number) {
    return apiError(
      GatewayErrorCode.RateLimited,
      detail,
      { retry_after_seconds: retryAfterSeconds },
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }

  private async verdictOf(pending: Promise<Verdict>): Promise<Verdict> {
    try {
      return await pending;
    } catch (error) {
      this.storeErrors.inc();
      if (Date.now() - this.lastErrorLogged > ERROR_LOG_INTERVAL_MS) {
        this.lastErrorLogged = Date.now();
        this.logger.warn({ err: error }, 'rate-limit counts unreachable; letting requests through');
      }
      return { allowed: true };
    }
  }
}
