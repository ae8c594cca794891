import { ApiKeyReader, KeyRevocations } from '@vulnscan/gateway-data';
import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { UpstreamReader } from '@vulnscan/cache-data';
import { RegistryCredentialReader } from '@vulnscan/registry-credentials';
import { SbomReader } from '@vulnscan/sbom-data';
import { BatchReader, ScanReader, SchedulerStatusReader } from '@vulnscan/scan-data';
import { BatchesController } from './batches/batches.controller';
import { SchedulesController } from './schedules/schedules.controller';
import { StatusReader, WebhookReader } from '@vulnscan/status-data';
import { ReportReader, VulnDbReader } from '@vulnscan/vulndb-data';
import { DeadLettersController } from './admin/dead-letters.controller';
import { AuditController } from './audit/audit.controller';
import { AuditLog } from './audit/audit-log.service';
import { AuditMiddleware } from './audit/audit.middleware';
import { ApiKeys } from './auth/api-keys.service';
import { ApiKeyGuard } from './auth/auth.guard';
import { InvalidCursorInterceptor } from './errors/invalid-cursor.interceptor';
import { DoorLimits } from './limits/door-limits.service';
import { ManifestsController } from './manifests/manifests.controller';
import { OwnerCommands } from './owner-commands.service';
import { PlatformHealthController } from './operations/health.controller';
import { PlatformHealth } from './operations/platform-health.service';
import { SchedulerStatusController } from './operations/scheduler-status.controller';
import { ReportsController } from './reports/reports.controller';
import { RegistriesController } from './registries/registries.controller';
import { SbomsController } from './sboms/sboms.controller';
import { ScansController } from './scans/scans.controller';
import { ApiKeysController } from './tenants/api-keys.controller';
import { TenantsController } from './tenants/tenants.controller';
import { UpstreamsController } from './upstreams/upstreams.controller';
import { VulnDbController } from './vulndb/vulndb.controller';
import { WebhooksController } from './webhooks/webhooks.controller';

@Module({
  controllers: [
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
  ],
  providers: [
    ApiKeys,
    ApiKeyReader,
    KeyRevocations,
    ApiKeyGuard,
    DoorLimits,
    AuditLog,
    OwnerCommands,
    ScanReader,
    BatchReader,
    RegistryCredentialReader,
    SbomReader,
    VulnDbReader,
    ReportReader,
    StatusReader,
    WebhookReader,
    UpstreamReader,
    SchedulerStatusReader,
    PlatformHealth,
    { provide: APP_INTERCEPTOR, useClass: InvalidCursorInterceptor },
  ],
})
export class GatewayModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditMiddleware).forRoutes('api/*path');
  }
}
