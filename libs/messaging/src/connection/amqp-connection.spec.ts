import 'reflect-metadata';
import { resolveMessagingOptions } from '../messaging.options';
import { AmqpConnection } from './amqp-connection';
import { maskAmqpUrl } from './broker-address';

describe('maskAmqpUrl', () => {
  it('hides the password and keeps everything an operator needs', () => {
    expect(maskAmqpUrl('amqp://guest:guest@127.0.0.1:5672')).toBe('amqp://guest:***@127.0.0.1:5672');
    expect(maskAmqpUrl('amqps://svc:s3cr%40t@rabbit.internal:5671/prod?heartbeat=30')).toBe(
      'amqps://svc:***@rabbit.internal:5671/prod?heartbeat=30',
    );
    expect(maskAmqpUrl('amqp://127.0.0.1')).toBe('amqp://127.0.0.1');
  });
});

describe('AmqpConnection start-up', () => {
  it('gives up after connectTimeoutMs with where, why and how to fix it', async () => {
    // Port 1 on loopback: nothing listens there, so the OS refuses at once.
    const options = resolveMessagingOptions({
      service: 'probe',
      schema: 'probe',
      amqpUrl: 'amqp://guest:topsecret@127.0.0.1:1',
      databaseUrl: 'postgres://unused',
      connectTimeoutMs: 400,
    });
    const connection = new AmqpConnection(options);
    const started = Date.now();
    const failure = await connection.connect().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(failure?.message).toMatch(
      /^RabbitMQ is unreachable at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 \(gave up after \d+ ms\): .*ECONNREFUSED/,
    );
    expect(failure?.message).toContain('rabbitmq-server -detached');
    expect(failure?.message).toContain('docker compose up -d rabbitmq');
    expect(failure?.message).not.toContain('topsecret');
    expect(connection.isConnected()).toBe(false);
  });
});
