import 'reflect-metadata';
import { INestApplication, ModuleMetadata, Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { connect } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { messagingMigrations } from '../migrations/messaging-migrations';
import { MessagingModule } from '../messaging.module';
import { MessagingOptions, QueueSpec } from '../messaging.options';
import { TopologyNames } from '../topology/topology-names';
import { AmqpTransport } from '../transport/amqp-transport';

/**
 * Integration-test plumbing for this lib: a real Nest app against real Postgres and RabbitMQ.
 * Every spec file gets its own prefix and schema so files can run in parallel and clean up.
 */
export const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const DATABASE_URL = `${process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432'}/postgres`;

export interface TestScope {
  prefix: string;
  schema: string;
}

export function uniqueScope(label: string): TestScope {
  const suffix = randomBytes(4).toString('hex');
  return { prefix: `t-${label}-${suffix}`, schema: `msg_${label.replace(/-/g, '_')}_${suffix}` };
}

export async function sql(statement: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(statement, params)).rows;
  } finally {
    await client.end();
  }
}

export async function createSchema(scope: TestScope): Promise<void> {
  await sql(`CREATE SCHEMA "${scope.schema}"`);
}

export type TestOptions = Partial<MessagingOptions> & { service: string };

export interface TestAppSpec {
  scope: TestScope;
  options: TestOptions;
  controllers?: Type<unknown>[];
  providers?: Provider[];
  imports?: ModuleMetadata['imports'];
}

/** Builds the app the way a service does: TypeORM (migrations run) + MessagingModule + hybrid transport. */
export async function startTestApp(spec: TestAppSpec): Promise<INestApplication> {
  const { scope } = spec;
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: DATABASE_URL,
        schema: scope.schema,
        migrations: messagingMigrations(scope.schema),
        migrationsRun: true,
        migrationsTableName: 'migrations',
        synchronize: false,
        entities: [],
        retryAttempts: 0,
      }),
      MessagingModule.forRootAsync({
        useFactory: (): MessagingOptions => ({
          schema: scope.schema,
          prefix: scope.prefix,
          amqpUrl: AMQP_URL,
          databaseUrl: DATABASE_URL,
          retryBaseDelayMs: 100,
          retryMaxDelayMs: 1000,
          outboxPollMs: 500,
          drainTimeoutMs: 3000,
          connectTimeoutMs: 3000,
          ...spec.options,
        }),
      }),
      ...(spec.imports ?? []),
    ],
    controllers: spec.controllers ?? [],
    providers: spec.providers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  app.connectMicroservice({ strategy: app.get(AmqpTransport) });
  await app.startAllMicroservices();
  await app.init();
  return app;
}

/** Deletes every queue and the exchange a scope's services may have declared, and the schema. */
export async function cleanUp(scope: TestScope, services: string[], workQueues: QueueSpec[] = [], maxAttempts = 5): Promise<void> {
  await sql(`DROP SCHEMA IF EXISTS "${scope.schema}" CASCADE`);
  const model = await connect(AMQP_URL);
  try {
    const queues = new Set<string>();
    for (const service of services) {
      const names = new TopologyNames({ prefix: scope.prefix, service });
      const sources = [names.serviceQueue, ...workQueues.map((queue) => names.workQueue(queue.name))];
      [names.serviceQueue, names.commandsQueue, names.deadLetterQueue, ...sources].forEach((queue) => queues.add(queue));
      for (const source of sources) {
        for (let level = 1; level < maxAttempts; level += 1) queues.add(names.retryQueue(source, level));
      }
    }
    for (const queue of queues) {
      // A channel dies on the first error, so each deletion gets its own.
      const channel = await model.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteQueue(queue).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    await channel.deleteExchange(`${scope.prefix}.events`).catch(() => undefined);
    await channel.close().catch(() => undefined);
  } finally {
    await model.close();
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function dataSourceOf(app: INestApplication): DataSource {
  return app.get(DataSource);
}
