import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ServiceDefinition } from '@vulnscan/service-runtime';
import { GATEWAY_ENTITIES, GATEWAY_SCHEMA } from './entities';
import { GatewayEnv } from './env';
import { parseTrustProxy } from './limits/trust-proxy';
import { GatewayInitial1764000000001 } from './migrations/1764000000001-GatewayInitial';
import { OperatorScope1765000000001 } from './migrations/1765000000001-OperatorScope';
import { GatewayRateWindows1765000000002 } from './migrations/1765000000002-GatewayRateWindows';
import { TenantIncarnations1766000000001 } from './migrations/1766000000001-TenantIncarnations';

/** Largest JSON body the API reads; larger ones are answered 413. */
const API_BODY_LIMIT = '2mb';

export const gatewayService: ServiceDefinition<GatewayEnv> = {
  name: 'gateway',
  schema: GATEWAY_SCHEMA,
  env: GatewayEnv,
  defaultPort: 8080,
  // Its own tables only: other services' data is read through their read-only readers (plain SQL).
  entities: GATEWAY_ENTITIES,
  migrations: [GatewayInitial1764000000001, OperatorScope1765000000001, GatewayRateWindows1765000000002, TenantIncarnations1766000000001],
  // The blob cache authenticates /v2/ pulls with tenants' API keys (libs/gateway-data).
  readableBy: { 'blob-cache-worker': ['api_keys'] },
  configureHttp: (app, env) => {
    // a bulk scan lists up to 10,000 references; every other body is far smaller
    (app as NestExpressApplication).useBodyParser('json', { limit: API_BODY_LIMIT });
    // the client address the auth-failure limit counts under (request.ip)
    (app as NestExpressApplication).set('trust proxy', parseTrustProxy(env.TRUST_PROXY));
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('vulnscan API')
        .setDescription('Container-image vulnerability scanning: scans, images, tenants, API keys, audit.')
        .setVersion('1')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  },
};
