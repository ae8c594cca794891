import { Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * Metrics live in prom-client's default registry, exposed by every service at `/metrics`.
 * Getting a metric by name makes repeated registration (tests, hot paths) harmless; services
 * define their own metrics with these helpers.
 */
export function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  return (register.getSingleMetric(name) as Counter<string>) ?? new Counter({ name, help, labelNames });
}

export function gauge(name: string, help: string, labelNames: string[]): Gauge<string> {
  return (register.getSingleMetric(name) as Gauge<string>) ?? new Gauge({ name, help, labelNames });
}

export function histogram(name: string, help: string, labelNames: string[], buckets: number[]): Histogram<string> {
  return (register.getSingleMetric(name) as Histogram<string>) ?? new Histogram({ name, help, labelNames, buckets });
}

export const Metrics = {
  messagesHandled: () => counter('messages_handled_total', 'Messages handled successfully, by type', ['type']),
  messagesFailed: () => counter('messages_failed_total', 'Message handler failures (each retry counts), by type', ['type']),
  messagesDeadLettered: () =>
    counter('messages_dead_lettered_total', 'Messages moved to the dead-letter queue, by type and reason', ['type', 'reason']),
  messagesPublished: () => counter('messages_published_total', 'Messages confirmed by the broker, by type', ['type']),
  outboxLagSeconds: () => gauge('outbox_lag_seconds', 'Age of the oldest unpublished outbox row', ['schema']),
  outboxPending: () => gauge('outbox_pending', 'Unpublished outbox rows', ['schema']),
  eventLatency: () =>
    histogram(
      'event_delivery_seconds',
      "From an event's commit (occurredAt) to its consumer",
      ['type'],
      [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ),
  httpRequests: () =>
    histogram(
      'http_request_duration_seconds',
      'HTTP requests by method, route and status',
      ['method', 'route', 'status'],
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ),
};
