import { Module } from '@nestjs/common';
import { EarlyScanStates } from './status/early-scan-states';
import { SecurityStatusService } from './status/security-status.service';
import { StatusEventsController } from './status/status-events.controller';
import { StatusRetries } from './status/status-retries.service';
import { WEBHOOK_CONTROLLERS, WEBHOOK_PROVIDERS } from './webhooks';

@Module({
  controllers: [StatusEventsController, ...WEBHOOK_CONTROLLERS],
  providers: [SecurityStatusService, EarlyScanStates, StatusRetries, ...WEBHOOK_PROVIDERS],
})
export class SecurityStatusModule {}
