import { Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { NextFunction, Request, Response } from 'express';
import { ConfigError, loadConfig, type BaseEnv } from '@vulnscan/config';
import { AmqpTransport } from '@vulnscan/messaging';
import { Correlation, CORRELATION_HEADER, correlationIdOf, startTracing, stopTracing } from '@vulnscan/observability';
import { runServiceMigrations } from '@vulnscan/persistence';
import { ServiceRuntimeModule } from './service-runtime.module';
import { confinementWarning, migrationOptionsFor } from './service-access';
import { apiValidationPipe, ProblemDetailsFilter } from './problem';
import { ServiceDefinition } from './service-definition';

function fail(service: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service, time: new Date().toISOString(), message })}\n`);
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

export function loadServiceConfig<E extends BaseEnv>(definition: ServiceDefinition<E>): E {
  try {
    return loadConfig(definition.env);
  } catch (error) {
    fail(definition.name, error);
  }
}

/** `migrate` entry point: this service's migrations only, under an advisory lock. */
export async function migrateService<E extends BaseEnv>(definition: ServiceDefinition<E>): Promise<void> {
  const env = loadServiceConfig(definition);
  try {
    const migrationOptions = migrationOptionsFor(definition, env);
    const result = await runServiceMigrations(migrationOptions);
    process.stdout.write(
      `${JSON.stringify({ level: 'info', service: definition.name, message: 'migrations done', schema: result.schema, applied: result.applied, role: migrationOptions.access?.role })}\n`,
    );
  } catch (error) {
    fail(definition.name, error);
  }
}

/** Starts one service: config, migrations, HTTP (health, metrics, API) and the message transport. */
export async function runService<E extends BaseEnv>(definition: ServiceDefinition<E>, feature: Type<unknown>): Promise<void> {
  startTracing(definition.name); // a no-op when main.ts started it first, as it should
  const env = loadServiceConfig(definition);
  try {
    if (env.MIGRATE_ON_START) {
      await runServiceMigrations(migrationOptionsFor(definition, env));
    }
    const warning = confinementWarning(definition, env);
    if (warning)
      process.stdout.write(
        `${JSON.stringify({ level: 'warn', service: definition.name, time: new Date().toISOString(), message: warning })}\n`,
      );
    @Module({ imports: [ServiceRuntimeModule.forService(definition, env), feature] })
    class ServiceRootModule {}

    const app = await NestFactory.create(ServiceRootModule, { bufferLogs: true, abortOnError: false });
    app.useLogger(app.get(Logger));
    app.use((request: Request, response: Response, next: NextFunction) => {
      const correlationId = correlationIdOf(request);
      response.setHeader(CORRELATION_HEADER, correlationId);
      Correlation.run({ correlationId }, next);
    });
    app.useGlobalPipes(apiValidationPipe());
    app.useGlobalFilters(new ProblemDetailsFilter());
    app.enableShutdownHooks();
    await definition.configureHttp?.(app, env);
    app.connectMicroservice({ strategy: app.get(AmqpTransport) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    const port = Number(process.env.PORT ?? definition.defaultPort);
    await app.listen(port, process.env.HOST ?? '0.0.0.0');
    app.get(Logger).log(`${definition.name} listening on :${port}`);
    process.once('SIGTERM', () => void stopTracing());
  } catch (error) {
    fail(definition.name, error);
  }
}
