import { counter } from '@vulnscan/observability';

/** Webhook metrics, served at /metrics with the platform's. */
export const WebhookMetrics = {
  enqueued: () => counter('webhook_notifications_enqueued_total', 'Webhook deliveries enqueued, by event', ['event']),
  attempts: () =>
    counter('webhook_delivery_attempts_total', 'Webhook delivery attempts, by outcome (delivered, retry, failed)', ['outcome']),
};
