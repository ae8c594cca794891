import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { DeadLettersController } from '../admin/dead-letters.controller';
import { AuditController } from '../audit/audit.controller';
import { BatchesController } from '../batches/batches.controller';
import { ManifestsController } from '../manifests/manifests.controller';
import { PlatformHealthController } from '../operations/health.controller';
import { SchedulerStatusController } from '../operations/scheduler-status.controller';
import { RegistriesController } from '../registries/registries.controller';
import { ReportsController } from '../reports/reports.controller';
import { SbomsController } from '../sboms/sboms.controller';
import { ScansController } from '../scans/scans.controller';
import { SchedulesController } from '../schedules/schedules.controller';
import { ApiKeysController } from '../tenants/api-keys.controller';
import { TenantsController } from '../tenants/tenants.controller';
import { UpstreamsController } from '../upstreams/upstreams.controller';
import { VulnDbController } from '../vulndb/vulndb.controller';
import { WebhooksController } from '../webhooks/webhooks.controller';
import { REQUIRED_SCOPES } from './auth.guard';

const CONTROLLERS: Type[] = [
  BatchesController,
  ScansController,
  SchedulesController,
  TenantsController,
  ApiKeysController,
  AuditController,
  DeadLettersController,
  RegistriesController,
  SbomsController,
  VulnDbController,
  ReportsController,
  ManifestsController,
  WebhooksController,
  UpstreamsController,
  SchedulerStatusController,
  PlatformHealthController,
];

/** `METHOD path` → the scopes the guard requires there, or `public` for a route without the guard. */
function endpointScopes(): Record<string, string> {
  const reflector = new Reflector();
  const table: Record<string, string> = {};
  for (const controller of CONTROLLERS) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const path = [base, String(Reflect.getMetadata(PATH_METADATA, handler))].filter((part) => part && part !== '/').join('/');
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const scopes = reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, [handler, controller]);
      table[`${method} /${path.replace(/^\//, '')}`] = scopes ? scopes.join(' ') || '(any key)' : 'public';
    }
  }
  return table;
}

describe('which scopes pass which endpoint', () => {
  it('requires these scopes per endpoint (platform:admin passes all, admin all but platform:admin)', () => {
    expect(endpointScopes()).toEqual({
      'GET /api/v1/health': 'public',
      'GET /api/v1/scans': 'scans:read',
      'GET /api/v1/scans/:id': 'scans:read',
      'GET /api/v1/scans/:id/report': 'scans:read',
      'GET /api/v1/scans/:id/sbom': 'scans:read',
      'GET /api/v1/images/:reference/scans': 'scans:read',
      'GET /api/v1/images/:reference/diff': 'scans:read',
      'GET /api/v1/manifests': 'scans:read',
      'GET /api/v1/manifests/:digest/security': 'scans:read',
      'GET /api/v1/batches/:id': 'scans:read',
      'GET /api/v1/schedules': 'scans:read',
      'GET /api/v1/schedules/:id': 'scans:read',
      'GET /api/v1/registries': 'scans:read',
      'GET /api/v1/upstreams': 'scans:read',
      'GET /api/v1/webhooks': 'scans:read',
      'GET /api/v1/webhooks/:id': 'scans:read',
      'GET /api/v1/webhooks/:id/deliveries': 'scans:read',
      'GET /api/v1/vulndb': 'scans:read',
      'GET /api/v1/scheduler/status': 'scans:read',
      'POST /api/v1/scans': 'scans:write',
      'DELETE /api/v1/scans/:id': 'scans:write',
      'POST /api/v1/batches/:id/cancel': 'scans:write',
      'POST /api/v1/schedules': 'scans:write',
      'PATCH /api/v1/schedules/:id': 'scans:write',
      'DELETE /api/v1/schedules/:id': 'scans:write',
      'POST /api/v1/schedules/:id/trigger': 'scans:write',
      'POST /api/v1/registries': 'scans:write',
      'DELETE /api/v1/registries/:id': 'scans:write',
      'POST /api/v1/upstreams': 'scans:write',
      'DELETE /api/v1/upstreams/:id': 'scans:write',
      'POST /api/v1/webhooks': 'scans:write',
      'DELETE /api/v1/webhooks/:id': 'scans:write',
      'POST /api/v1/scans/bulk': 'admin',
      'GET /api/v1/api-keys': 'admin',
      'POST /api/v1/api-keys': 'admin',
      'DELETE /api/v1/api-keys/:id': 'admin',
      'GET /api/v1/audit': 'admin',
      'POST /api/v1/vulndb/sync': 'platform:admin',
      'GET /api/v1/tenants': 'platform:admin',
      'POST /api/v1/tenants': 'platform:admin',
      'DELETE /api/v1/tenants/:id': 'platform:admin',
      'GET /api/v1/admin/dead-letters': 'platform:admin',
      'POST /api/v1/admin/dead-letters/:id/replay': 'platform:admin',
    });
  });
});
