import { SharedWindowCounter, WindowCount, WindowStore } from './window-counter';

/** A store in memory whose adds finish only when the test releases them, counting its round-trips. */
class HeldStore implements WindowStore {
  readonly counts = new Map<string, number>();
  readonly adds: number[] = [];
  reads = 0;
  secondsLeft = 42.3;
  private held: (() => void)[] = [];

  add(bucket: string, hits: number): Promise<WindowCount> {
    this.adds.push(hits);
    return new Promise((resolve) =>
      this.held.push(() => {
        const total = (this.counts.get(bucket) ?? 0) + hits;
        this.counts.set(bucket, total);
        resolve({ hits: total, secondsLeft: this.secondsLeft });
      }),
    );
  }

  read(bucket: string): Promise<WindowCount> {
    this.reads += 1;
    return Promise.resolve({ hits: this.counts.get(bucket) ?? 0, secondsLeft: this.secondsLeft });
  }

  /** Lets every add sent so far finish, and waits for what they trigger. */
  async release(): Promise<void> {
    const held = this.held;
    this.held = [];
    held.forEach((finish) => finish());
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('SharedWindowCounter', () => {
  it('sums the hits that arrive while an add is in flight into one add, and admits exactly the limit', async () => {
    const store = new HeldStore();
    const counter = new SharedWindowCounter(store, 5);
    const verdicts = Array.from({ length: 8 }, () => counter.hit('key:a'));
    await store.release(); // the first hit's add
    await store.release(); // the seven that waited, as one add
    expect(store.adds).toEqual([1, 7]);
    expect((await Promise.all(verdicts)).map((verdict) => verdict.allowed)).toEqual([true, true, true, true, true, false, false, false]);
  });

  it('gives each waiter its place after hits counted by other replicas', async () => {
    const store = new HeldStore();
    store.counts.set('key:a', 3); // another replica's requests
    const counter = new SharedWindowCounter(store, 5);
    const verdicts = [counter.hit('key:a'), counter.hit('key:a'), counter.hit('key:a')];
    await store.release();
    await store.release();
    expect((await Promise.all(verdicts)).map((verdict) => verdict.allowed)).toEqual([true, true, false]);
  });

  it('refuses a bucket seen over its limit locally until its window ends, with a whole-second Retry-After', async () => {
    let now = 1_000_000;
    const store = new HeldStore();
    store.counts.set('key:a', 5);
    const counter = new SharedWindowCounter(store, 5, () => now);
    const first = counter.hit('key:a');
    await store.release();
    expect(await first).toEqual({ allowed: false, retryAfterSeconds: 43 });

    now += 40_000;
    expect(await counter.hit('key:a')).toEqual({ allowed: false, retryAfterSeconds: 3 });
    expect(await counter.check('key:a')).toEqual({ allowed: false, retryAfterSeconds: 3 });
    expect(store.adds).toEqual([1]);
    expect(store.reads).toBe(0);

    // the window is over: the store is asked again (a new window starts from zero there)
    now += 3_000;
    store.counts.set('key:a', 0);
    const again = counter.hit('key:a');
    await store.release();
    expect(await again).toEqual({ allowed: true });
  });

  it('checks without counting: admitted while one more would still be within the limit', async () => {
    const store = new HeldStore();
    const counter = new SharedWindowCounter(store, 2);
    store.counts.set('auth:10.0.0.1', 1);
    expect(await counter.check('auth:10.0.0.1')).toEqual({ allowed: true });
    store.counts.set('auth:10.0.0.1', 2);
    expect(await counter.check('auth:10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 43 });
    expect(store.adds).toEqual([]);
    expect(await counter.check('auth:10.0.0.2')).toEqual({ allowed: true });
  });

  it('keeps buckets apart', async () => {
    const store = new HeldStore();
    const counter = new SharedWindowCounter(store, 1);
    const verdicts = [counter.hit('key:a'), counter.hit('key:b')];
    await store.release();
    expect(store.adds).toEqual([1, 1]);
    expect(await Promise.all(verdicts)).toEqual([{ allowed: true }, { allowed: true }]);
  });

  it('admits everything without touching the store when the limit is 0', async () => {
    const store = new HeldStore();
    const counter = new SharedWindowCounter(store, 0);
    expect(await counter.hit('key:a')).toEqual({ allowed: true });
    expect(await counter.check('key:a')).toEqual({ allowed: true });
    expect([store.adds.length, store.reads]).toEqual([0, 0]);
  });

  it('rejects every waiter of a failed add, and sends the next hits afresh', async () => {
    let failures = 2; // the first hit's add, then the one of the hit that waited behind it
    const failOnce: WindowStore = {
      add: (_bucket, hits) => (failures-- > 0 ? Promise.reject(new Error('database away')) : Promise.resolve({ hits, secondsLeft: 1 })),
      read: () => Promise.resolve({ hits: 0, secondsLeft: 1 }),
    };
    const counter = new SharedWindowCounter(failOnce, 5);
    const verdicts = [counter.hit('key:a'), counter.hit('key:a')];
    await expect(verdicts[0]).rejects.toThrow('database away');
    await expect(verdicts[1]).rejects.toThrow('database away');
    expect(await counter.hit('key:a')).toEqual({ allowed: true });
  });
});
