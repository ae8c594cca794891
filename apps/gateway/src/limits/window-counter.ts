/** A bucket's count in the current window and how long that window still lasts. */
export interface WindowCount {
  hits: number;
  secondsLeft: number;
}

/** Where the counts live: shared by every gateway replica (Postgres), so a limit holds across them. */
export interface WindowStore {
  /** Adds `hits` to the bucket's current window and answers its new count. */
  add(bucket: string, hits: number): Promise<WindowCount>;
  /** The bucket's current count, without adding to it. */
  read(bucket: string): Promise<WindowCount>;
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const ALLOWED: Verdict = { allowed: true };

/** Buckets remembered as over their limit; past this, expired entries are dropped first. */
const MAX_BLOCKED_BUCKETS = 10_000;

/** A request's place in its bucket's window: the count with it included. */
interface Position {
  position: number;
  secondsLeft: number;
}

interface Batch {
  hits: number;
  waiters: { resolve: (position: Position) => void; reject: (error: unknown) => void }[];
}

/**
 * A fixed-window request counter kept in a shared store, with two things done in process so that
 * not every request costs a round-trip while the limit still holds across replicas:
 *
 * - Hits on one bucket that arrive while its previous add is in flight are summed into one add;
 *   each waiter learns its own position from the new total, so coalescing never lets more through
 *   than one add per request would.
 * - A bucket seen over its limit is refused locally until its window ends: a window's count only
 *   grows, so nothing another replica does can make it admissible again before then.
 */
export class SharedWindowCounter {
  private readonly waiting = new Map<string, Batch>();
  private readonly inFlight = new Set<string>();
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly store: WindowStore,
    /** Requests admitted per bucket and window; 0 admits everything without counting. */
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.limit > 0;
  }

  /** Counts one request against `bucket`: admitted while its position in the window is within the limit. */
  async hit(bucket: string): Promise<Verdict> {
    if (!this.enabled) return ALLOWED;
    const blocked = this.blocked(bucket);
    if (blocked) return blocked;
    const { position, secondsLeft } = await this.enqueue(bucket);
    if (position <= this.limit) return ALLOWED;
    return this.block(bucket, secondsLeft);
  }

  /** Whether one more request on `bucket` would be within the limit, without counting one. */
  async check(bucket: string): Promise<Verdict> {
    if (!this.enabled) return ALLOWED;
    const blocked = this.blocked(bucket);
    if (blocked) return blocked;
    const { hits, secondsLeft } = await this.store.read(bucket);
    if (hits < this.limit) return ALLOWED;
    return this.block(bucket, secondsLeft);
  }

  private blocked(bucket: string): Verdict | null {
    const until = this.blockedUntil.get(bucket);
    if (until === undefined) return null;
    const left = until - this.now();
    if (left <= 0) {
      this.blockedUntil.delete(bucket);
      return null;
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) };
  }

  private block(bucket: string, secondsLeft: number): Verdict {
    const retryAfterSeconds = Math.max(1, Math.ceil(secondsLeft));
    if (this.blockedUntil.size >= MAX_BLOCKED_BUCKETS) this.forgetExpired();
    this.blockedUntil.set(bucket, this.now() + Math.max(0, secondsLeft) * 1000);
    return { allowed: false, retryAfterSeconds };
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [bucket, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(bucket);
    // Still full (a flood from many addresses): forgetting only costs those buckets a store read.
    if (this.blockedUntil.size >= MAX_BLOCKED_BUCKETS) this.blockedUntil.clear();
  }

  private enqueue(bucket: string): Promise<Position> {
    return new Promise((resolve, reject) => {
      let batch = this.waiting.get(bucket);
      if (!batch) {
        batch = { hits: 0, waiters: [] };
        this.waiting.set(bucket, batch);
      }
      batch.hits += 1;
      batch.waiters.push({ resolve, reject });
      if (!this.inFlight.has(bucket)) void this.flush(bucket);
    });
  }

  /** Sends the bucket's waiting hits as one add, then the hits that arrived meanwhile, until none wait. */
  private async flush(bucket: string): Promise<void> {
    this.inFlight.add(bucket);
    try {
      for (let batch = this.waiting.get(bucket); batch; batch = this.waiting.get(bucket)) {
        this.waiting.delete(bucket);
        try {
          const count = await this.store.add(bucket, batch.hits);
          const first = count.hits - batch.hits + 1;
          batch.waiters.forEach((waiter, index) => waiter.resolve({ position: first + index, secondsLeft: count.secondsLeft }));
        } catch (error) {
          for (const waiter of batch.waiters) waiter.reject(error);
        }
      }
    } finally {
      this.inFlight.delete(bucket);
    }
  }
}
