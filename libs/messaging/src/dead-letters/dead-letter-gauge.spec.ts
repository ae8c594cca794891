import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { resolveMessagingOptions } from '../messaging.options';
import { DeadLetterGauge } from './dead-letter-gauge';

/** A DataSource whose count query answers what the test says, when it says. */
function fakeDataSource() {
  const state = { initialized: true, answer: (): Promise<unknown> => Promise.resolve([{ n: 0 }]), queries: [] as string[] };
  const dataSource = {
    get isInitialized() {
      return state.initialized;
    },
    query: (sql: string) => {
      state.queries.push(sql);
      return state.answer();
    },
  } as unknown as DataSource;
  return { state, dataSource };
}

const options = resolveMessagingOptions({
  service: 'scan-scheduler',
  schema: 'scheduler',
  amqpUrl: 'amqp://x',
  databaseUrl: 'postgres://x',
});
const value = async () => {
  const text = await register.metrics();
  const line = text.split('\n').find((row) => row.startsWith('vulnscan_dead_letters{service="scan-scheduler"}'));
  return line ? Number(line.split(' ')[1]) : undefined;
};

describe('vulnscan_dead_letters', () => {
  const { state, dataSource } = fakeDataSource();
  const source = new DeadLetterGauge(dataSource, options);

  beforeAll(() => source.onModuleInit());
  afterAll(() => source.onModuleDestroy());

  it('counts parked (not replayed) dead letters of the service, with a cap', async () => {
    state.answer = () => Promise.resolve([{ n: 3 }]);
    expect(await value()).toBe(3);
    expect(state.queries.at(-1)).toBe(
      'SELECT count(*)::int AS n FROM (SELECT 1 FROM "scheduler"."dead_letters" WHERE replayed_at IS NULL LIMIT 100000) parked',
    );
  });

  it('keeps the last value when the database fails, and the scrape succeeds', async () => {
    state.answer = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    expect(await value()).toBe(3);
    state.initialized = false;
    expect(await value()).toBe(3);
    state.initialized = true;
  });

  it('does not hold a scrape longer than a second for a database that does not answer, nor pile up queries', async () => {
    const asked = state.queries.length;
    state.answer = () => new Promise(() => undefined);
    const started = Date.now();
    expect(await value()).toBe(3);
    expect(await value()).toBe(3);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(state.queries.length).toBe(asked + 1);
  });
});
