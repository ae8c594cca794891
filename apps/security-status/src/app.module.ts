import { Module } from '@nestjs/common';
import { CacheReader } from '@vulnscan/cache-data';
import { ScanReader } from '@vulnscan/scan-data';
import { SecurityStatusService } from './status/security-status.service';
import { StatusEventsController } from './status/status-events.controller';
import { StatusRetries } from './status/status-retries.service';
import { WEBHOOK_CONTROLLERS, WEBHOOK_PROVIDERS } from './webhooks';

@Module({
  controllers: [StatusEventsController, ...WEBHOOK_CONTROLLERS],
  providers: [SecurityStatusService, StatusRetries, CacheReader, ScanReader, ...WEBHOOK_PROVIDERS],
})
export class SecurityStatusModule {}
