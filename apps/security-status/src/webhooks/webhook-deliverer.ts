import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v4 as uuidv4 } from 'uuid';
import { backoffDelayMs } from '@vulnscan/backoff';
import { WebhookEvent } from '@vulnscan/contracts';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { parseRetryAfter } from '@vulnscan/outbound-http';
import { DeliveryAttempt, DeliveryStatus } from '@vulnscan/status-data';
import { SecurityStatusEnv } from '../env';
import { WebhookMetrics } from './metrics';
import { secretContext } from './secret-context';
import { deliveryHeaders } from './signature';
import { postWebhook, WebhookResponse } from './webhook-http';
import { WebhookSecurity } from './webhook-security';
import { WebhookUrlError } from './webhook-url';

/** A claimed notification with what sending it needs. */
interface ClaimedDelivery {
  id: string;
  tenantId: string;
  webhookId: string;
  event: WebhookEvent;
  body: string;
  attempts: number;
  url: string;
  secret: string;
}

const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_BATCH = 1000;
const attemptsMetric = WebhookMetrics.attempts();

/**
 * Sends due notifications. Rows are claimed with FOR UPDATE SKIP LOCKED and leased (lease_until,
 * lease_token) past the attempt's timeout, so replicas share the queue and never send one row at
 * the same time; an attempt's result is written only under its own lease. Every attempt is
 * recorded; a failed one is retried with exponential backoff (full jitter) up to WEBHOOK_MAX_ATTEMPTS.
 */
@Injectable()
export class WebhookDeliverer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliverer.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private stopping = false;
  private lastPrune = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: SecurityStatusEnv,
    private readonly security: WebhookSecurity,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.security.cipher) {
      this.logger.warn('WEBHOOK_ENCRYPTION_KEY is not set: webhooks cannot be created and none are delivered');
      return;
    }
    this.timer = setInterval(() => this.tick(), this.env.WEBHOOK_POLL_MS);
    this.timer.unref();
  }

  /** Before the database closes: no new claims, and the attempts in flight (bounded by their timeout) finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    this.running ??= this.run()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'webhook delivery run failed'))
      .finally(() => (this.running = null));
  }

  /** Sends batches of due deliveries until none is due; returns how many attempts were made. */
  async run(): Promise<number> {
    let total = 0;
    while (!this.stopping) {
      const batch = await this.claim(this.env.WEBHOOK_CONCURRENCY);
      await Promise.all(batch.map((delivery) => this.deliver(delivery)));
      total += batch.length;
      if (batch.length < this.env.WEBHOOK_CONCURRENCY) break;
    }
    if (!this.stopping && Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await this.prune();
    }
    return total;
  }

  private async claim(limit: number): Promise<(ClaimedDelivery & { leaseToken: string })[]> {
    const leaseToken = uuidv4();
    // Longer than one attempt can take, so a lease never runs out while its holder still sends.
    const leaseSeconds = Math.ceil(this.env.WEBHOOK_TIMEOUT_MS / 1000) * 2 + 60;
    const rows = (await this.dataSource.query(
      `UPDATE status.notifications n
       SET lease_until = now() + make_interval(secs => $2), lease_token = $3, updated_at = now()
       FROM status.webhooks w
       WHERE w.id = n.webhook_id AND n.id IN (
         SELECT id FROM status.notifications
         WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until <= now())
         ORDER BY next_attempt_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       RETURNING n.id, n.tenant_id AS "tenantId", n.webhook_id AS "webhookId", n.event, n.body, n.attempts, w.url, w.secret`,
      [limit, leaseSeconds, leaseToken],
    )) as [ClaimedDelivery[], number];
    // TypeORM's postgres driver answers an UPDATE … RETURNING with [rows, affected].
    return rows[0].map((row) => ({ ...row, leaseToken }));
  }

  /** One attempt; whatever happens (bad URL, undecryptable secret, receiver misbehaving) it is recorded. */
  private async deliver(delivery: ClaimedDelivery & { leaseToken: string }): Promise<void> {
    const attempt = delivery.attempts + 1;
    const at = new Date();
    let response: WebhookResponse;
    try {
      response = await this.send(delivery, attempt);
    } catch (error) {
      const message = error instanceof WebhookUrlError ? `${error.code}: ${error.message}` : `internal: ${(error as Error).message}`;
      response = { statusCode: null, error: message.slice(0, 500), retryAfter: undefined, durationMs: Date.now() - at.getTime() };
    }
    try {
      await this.record(delivery, attempt, at, response);
    } catch (error) {
      // The lease runs out and the row is tried again: at worst one more attempt, never a lost one.
      this.logger.warn({ err: error, deliveryId: delivery.id }, 'could not record a webhook attempt');
    }
  }

  private async send(delivery: ClaimedDelivery, attempt: number): Promise<WebhookResponse> {
    const cipher = this.security.cipher;
    if (!cipher) throw new Error('no WEBHOOK_ENCRYPTION_KEY');
    let secret: string;
    try {
      secret = cipher.decrypt(delivery.secret, secretContext(delivery.tenantId, delivery.webhookId));
    } catch {
      throw new Error('the signing secret cannot be decrypted with WEBHOOK_ENCRYPTION_KEY');
    }
    // Checked again now: the host's addresses may have changed since the webhook was created.
    const { url, addresses } = await this.security.checkUrl(delivery.url);
    const headers = deliveryHeaders({ secret, event: delivery.event, deliveryId: delivery.id, attempt, body: delivery.body });
    return postWebhook({ url, addresses, headers, body: delivery.body, timeoutMs: this.env.WEBHOOK_TIMEOUT_MS });
  }

  private async record(
    delivery: ClaimedDelivery & { leaseToken: string },
    attempt: number,
    at: Date,
    response: WebhookResponse,
  ): Promise<void> {
    const ok = response.error === null;
    const entry: DeliveryAttempt = {
      attempt,
      at: at.toISOString(),
      status_code: response.statusCode,
      error: response.error,
      duration_ms: response.durationMs,
    };
    let status = DeliveryStatus.Pending;
    let delayMs = 0;
    if (ok) status = DeliveryStatus.Delivered;
    else if (attempt >= this.env.WEBHOOK_MAX_ATTEMPTS) status = DeliveryStatus.Failed;
    else {
      const retryAfter = response.statusCode === 429 || response.statusCode === 503 ? parseRetryAfter(response.retryAfter) : undefined;
      const maxMs = this.env.WEBHOOK_RETRY_MAX_MS;
      delayMs = backoffDelayMs(
        attempt,
        { baseMs: this.env.WEBHOOK_RETRY_BASE_MS, capMs: maxMs, floorCapMs: maxMs },
        retryAfter === undefined ? undefined : retryAfter * 1000,
      );
    }
    await this.dataSource.query(
      `UPDATE status.notifications
       SET status = $3, attempts = $4, attempt_log = attempt_log || jsonb_build_array($5::jsonb),
           last_status_code = $6, last_error = $7,
           next_attempt_at = now() + make_interval(secs => $8::double precision / 1000),
           delivered_at = CASE WHEN $3 = 'delivered' THEN now() END,
           lease_until = NULL, lease_token = NULL, updated_at = now()
       WHERE id = $1 AND lease_token = $2`,
      [delivery.id, delivery.leaseToken, status, attempt, JSON.stringify(entry), response.statusCode, response.error, delayMs],
    );
    attemptsMetric.inc({ outcome: ok ? 'delivered' : status === DeliveryStatus.Failed ? 'failed' : 'retry' });
    if (!ok) {
      const level = status === DeliveryStatus.Failed ? 'warn' : 'debug';
      this.logger[level](
        { deliveryId: delivery.id, webhookId: delivery.webhookId, attempt, error: response.error },
        `webhook attempt failed (${status})`,
      );
    }
  }

  /** Finished deliveries past their retention go, a batch at a time, by one replica at a time. */
  private async prune(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [{ claimed }] = (await manager.query(
        `SELECT pg_try_advisory_xact_lock(hashtext('security-status:webhook-prune')) AS claimed`,
      )) as {
        claimed: boolean;
      }[];
      if (!claimed) return;
      await manager.query(
        `DELETE FROM status.notifications WHERE id IN (
           SELECT id FROM status.notifications
           WHERE status <> 'pending' AND updated_at < now() - make_interval(days => $1)
           LIMIT $2)`,
        [this.env.WEBHOOK_DELIVERY_RETENTION_DAYS, PRUNE_BATCH],
      );
    });
  }
}
