import CircuitBreaker from 'opossum';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import type { BreakerOptions } from '../types';

export const DEFAULT_BREAKER: BreakerOptions = { errorThresholdPercentage: 50, resetTimeoutMs: 30_000, volumeThreshold: 5 };

type Task = () => Promise<unknown>;

/**
 * One circuit breaker per registry host. Only an unreachable registry counts as a failure: a
 * missing tag, bad credentials or corrupt content are the caller's problem, and must not cut
 * everyone else off from a healthy registry.
 */
export class HostBreakers {
  private readonly breakers = new Map<string, CircuitBreaker<[Task], unknown>>();

  constructor(private readonly options: BreakerOptions = DEFAULT_BREAKER) {}

  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    try {
      return (await this.breakerFor(host).fire(task)) as T;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
        const message = `circuit open for ${host}: too many recent failures, not calling it until it recovers`;
        throw new ScanError(ScanErrorCode.Unreachable, message);
      }
      throw error;
    }
  }

  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  private breakerFor(host: string): CircuitBreaker<[Task], unknown> {
    let breaker = this.breakers.get(host);
    if (!breaker) {
      breaker = new CircuitBreaker((task: Task) => task(), {
        name: host,
        // Requests carry their own timeouts (and must not be cut while a blob still streams).
        timeout: false,
        errorThresholdPercentage: this.options.errorThresholdPercentage,
        resetTimeout: this.options.resetTimeoutMs,
        volumeThreshold: this.options.volumeThreshold,
        errorFilter: (error: unknown) => !(error instanceof ScanError && error.code === ScanErrorCode.Unreachable),
      });
      this.breakers.set(host, breaker);
    }
    return breaker;
  }
}
