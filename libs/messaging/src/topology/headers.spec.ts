import { ConsumeMessage } from 'amqplib';
import { attemptOf, dispatchKey, jsonSafe, ownHeaders } from './headers';

function delivery(exchange: string, routingKey: string, headers: Record<string, unknown> = {}): ConsumeMessage {
  return {
    content: Buffer.from('{}'),
    fields: { deliveryTag: 1, redelivered: false, exchange, routingKey, consumerTag: 'c' },
    properties: { headers } as ConsumeMessage['properties'],
  };
}

describe('dispatch key and attempt of a delivery', () => {
  it('uses the routing key of a message published to the topic exchange', () => {
    const message = delivery('p.events', 'scan.requested.v1');
    expect(dispatchKey(message)).toBe('scan.requested.v1');
    expect(attemptOf(message)).toBe(1);
  });

  it('uses the original routing key and attempt of a message back from a retry queue', () => {
    const message = delivery('', 'p.svc', { 'x-original-routing-key': 'scan.requested.v1', 'x-attempt': 3 });
    expect(dispatchKey(message)).toBe('scan.requested.v1');
    expect(attemptOf(message)).toBe(3);
  });

  it('ignores stale retry headers on a message the broker dead-lettered to a new routing key', () => {
    // A work-queue job retried once by a worker, then dead-lettered past its delivery limit.
    const message = delivery('p.events', 'scan.job.dead-lettered.v1', { 'x-original-routing-key': 'scan.job.queued.v1', 'x-attempt': 2 });
    expect(dispatchKey(message)).toBe('scan.job.dead-lettered.v1');
    expect(attemptOf(message)).toBe(1);
  });
});

describe('ownHeaders', () => {
  it('drops retry and dead-letter bookkeeping, keeps the rest', () => {
    expect(
      ownHeaders({
        'x-attempt': 2,
        'x-last-error': 'e',
        'x-death': [],
        'x-delivery-count': 1,
        'x-dead-letter-reason': 'max_attempts',
        'x-original-routing-key': 'k',
        tenant: 'acme',
      }),
    ).toEqual({ 'x-original-routing-key': 'k', tenant: 'acme' });
  });
});

describe('jsonSafe', () => {
  it('turns AMQP table values into JSON', () => {
    expect(jsonSafe({ a: Buffer.from('hi'), b: [{ c: BigInt(5) }], d: new Date('2025-01-01T00:00:00Z'), e: null })).toEqual({
      a: 'hi',
      b: [{ c: '5' }],
      d: '2025-01-01T00:00:00.000Z',
      e: null,
    });
  });
});
