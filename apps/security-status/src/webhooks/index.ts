/**
 * Webhooks: what the security-status service wires in. Tenants register URLs (commands from the
 * gateway); every ScanCompleted enqueues notifications in its inbox transaction; a deliverer signs
 * and sends them, retrying with backoff, and records every attempt.
 */
import { Type } from '@nestjs/common';
import { Webhooks1764000000002 } from '../migrations/1764000000002-Webhooks';
import { ScanHistory } from './scan-history';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookNotifier } from './webhook-notifier';
import { WebhookRegistrations } from './webhook-registrations.service';
import { WebhookSecurity } from './webhook-security';
import { WebhooksController } from './webhooks.controller';

export { WebhookNotifier, MAX_LISTED_VULNERABILITIES } from './webhook-notifier';
export { WebhookDeliverer } from './webhook-deliverer';
export { WebhookRegistrations } from './webhook-registrations.service';
export { WebhookSecurity } from './webhook-security';
export { ScanHistory } from './scan-history';
export { signDelivery, deliveryHeaders, generateSecret } from './signature';
export { checkWebhookUrl, WebhookUrlError } from './webhook-url';
export { postWebhook } from './webhook-http';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const WEBHOOK_MIGRATIONS: Function[] = [Webhooks1764000000002];
export const WEBHOOK_CONTROLLERS: Type<unknown>[] = [WebhooksController];
export const WEBHOOK_PROVIDERS = [WebhookNotifier, WebhookSecurity, WebhookRegistrations, WebhookDeliverer, ScanHistory];
