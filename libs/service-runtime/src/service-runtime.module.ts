import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import type { BaseEnv } from '@vulnscan/config';
import { AmqpConnection, messagingMigrations, MessagingModule } from '@vulnscan/messaging';
import { HealthModule, HttpMetricsMiddleware, loggerParams, MetricsController } from '@vulnscan/observability';
import { serviceDataSourceOptions } from '@vulnscan/persistence';
import { SERVICE_DEFINITION, SERVICE_ENV, ServiceDefinition } from './service-definition';

export function dataSourceOptionsFor(
  definition: Pick<ServiceDefinition, 'name' | 'schema' | 'entities' | 'migrations'>,
  env: BaseEnv,
  url = env.DATABASE_URL,
) {
  return serviceDataSourceOptions({
    url,
    schema: definition.schema,
    entities: definition.entities,
    migrations: [...messagingMigrations(definition.schema), ...definition.migrations],
    poolSize: env.DATABASE_POOL_SIZE,
    applicationName: definition.name,
  });
}

/** Logging, database, messaging, health and metrics, wired the same way for every service. */
@Global()
@Module({})
export class ServiceRuntimeModule implements NestModule {
  static forService<E extends BaseEnv>(definition: ServiceDefinition<E>, env: E): DynamicModule {
    return {
      module: ServiceRuntimeModule,
      imports: [
        LoggerModule.forRoot(loggerParams(definition.name, env.LOG_LEVEL)),
        TypeOrmModule.forRoot({ ...dataSourceOptionsFor(definition, env), retryAttempts: 0 }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            service: definition.name,
            schema: definition.schema,
            amqpUrl: env.AMQP_URL,
            prefix: env.AMQP_PREFIX,
            databaseUrl: env.DATABASE_URL,
            maxAttempts: env.MESSAGE_MAX_ATTEMPTS,
            instanceId: env.INSTANCE_ID ?? `${hostname()}:${process.pid}`,
            queues: definition.queues?.(env) ?? [],
            relayEnabled: env.OUTBOX_RELAY_ENABLED,
          }),
        }),
        HealthModule.forChecks(
          {
            inject: [DataSource, AmqpConnection],
            useFactory: (dataSource: DataSource, amqp: AmqpConnection) => [
              { name: 'database', check: async () => void (await dataSource.query('SELECT 1')) },
              {
                name: 'broker',
                check: async () => {
                  if (!amqp.isConnected()) throw new Error('not connected to RabbitMQ');
                },
              },
            ],
          },
          { eventLoopLagThresholdMs: env.EVENT_LOOP_LAG_THRESHOLD_MS },
        ),
      ],
      controllers: [MetricsController],
      providers: [
        { provide: SERVICE_ENV, useValue: env },
        { provide: SERVICE_DEFINITION, useValue: definition },
      ],
      exports: [SERVICE_ENV, SERVICE_DEFINITION],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
