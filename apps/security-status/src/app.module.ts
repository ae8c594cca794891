import { Module } from '@nestjs/common';
import { CacheScanRate } from './status/cache-scan-rate';
import { EarlyScanStates } from './status/early-scan-states';
import { SecurityStatusService } from './status/security-status.service';
import { StatusEventsController } from './status/status-events.controller';
import { StatusRetries } from './status/status-retries.service';
import { TenantDeletedController } from './tenants/tenant-deleted.controller';
import { WEBHOOK_CONTROLLERS, WEBHOOK_PROVIDERS } from './webhooks';

@Module({
  controllers: [StatusEventsController, TenantDeletedController, ...WEBHOOK_CONTROLLERS],
  providers: [SecurityStatusService, EarlyScanStates, CacheScanRate, StatusRetries, ...WEBHOOK_PROVIDERS],
})
export class SecurityStatusModule {}
