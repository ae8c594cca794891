import { createHmac, randomBytes } from 'node:crypto';
import { WebhookEvent, WebhookHeaders } from '@vulnscan/contracts';

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` keyed with the webhook's secret. Signing the
 * timestamp with the body lets a receiver refuse replays of old deliveries.
 */
export function signDelivery(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** A signing secret for a webhook created without one: 32 random bytes. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export interface DeliveryHeaderInput {
  secret: string;
  event: WebhookEvent;
  deliveryId: string;
  attempt: number;
  body: string;
  /** Unix seconds; now when absent. */
  timestamp?: number;
}

/** Every header of one attempt; the signature is made afresh with the attempt's own timestamp. */
export function deliveryHeaders(input: DeliveryHeaderInput): Record<string, string> {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    'content-type': 'application/json',
    'user-agent': 'vulnscan-webhooks/1',
    [WebhookHeaders.Event]: input.event,
    [WebhookHeaders.Delivery]: input.deliveryId,
    [WebhookHeaders.Attempt]: String(input.attempt),
    [WebhookHeaders.Timestamp]: timestamp,
    [WebhookHeaders.Signature]: signDelivery(input.secret, timestamp, input.body),
  };
}
