import { resolveMessagingOptions } from './messaging.options';
import { TopologyNames } from './topology/topology-names';

const base = { service: 'scan-scheduler', schema: 'scheduler', amqpUrl: 'amqp://localhost', databaseUrl: 'postgres://localhost/db' };

describe('resolveMessagingOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveMessagingOptions(base)).toMatchObject({
      prefix: 'vulnscan',
      maxAttempts: 5,
      retryBaseDelayMs: 500,
      retryMaxDelayMs: 60_000,
      prefetch: 20,
      outboxPollMs: 1000,
      retentionHours: 168,
      connectTimeoutMs: 10_000,
      drainTimeoutMs: 15_000,
      relayEnabled: true,
      queues: [],
    });
  });

  it('rejects a schema that could not be interpolated into SQL safely', () => {
    expect(() => resolveMessagingOptions({ ...base, schema: 'scheduler"; DROP TABLE x; --' })).toThrow(/schema .* must match/);
    expect(() => resolveMessagingOptions({ ...base, schema: 'Scheduler' })).toThrow(/schema/);
  });

  it('rejects nonsense numbers with the option name', () => {
    expect(() => resolveMessagingOptions({ ...base, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveMessagingOptions({ ...base, retryMaxDelayMs: 100, retryBaseDelayMs: 500 })).toThrow(/retryMaxDelayMs/);
  });
});

describe('TopologyNames', () => {
  it('scopes service queues, not shared work queues, and gives each source queue its own retry queues', () => {
    const names = new TopologyNames({ prefix: 'vulnscan', service: 'scanner-worker' });
    expect(names.exchange).toBe('vulnscan.events');
    expect(names.serviceQueue).toBe('vulnscan.scanner-worker');
    expect(names.commandsQueue).toBe('vulnscan.scanner-worker.commands');
    expect(names.deadLetterQueue).toBe('vulnscan.scanner-worker.dlq');
    expect(names.workQueue('scan-jobs')).toBe('vulnscan.scan-jobs');
    expect(names.retryQueue(names.serviceQueue, 2)).toBe('vulnscan.scanner-worker.retry.2');
    expect(names.retryQueue(names.workQueue('scan-jobs'), 1)).toBe('vulnscan.scanner-worker.scan-jobs.retry.1');
    expect(names.replayRoutingKey).toBe('command.dead-letter.replay.v1.scanner-worker');
  });
});
