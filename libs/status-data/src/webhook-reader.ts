import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor } from '@vulnscan/persistence';
import type { WebhookEvent, WebhookView } from '@vulnscan/contracts';
import type { DeliveryAttempt, DeliveryStatus } from './delivery';

/** A delivery as the API shows it: what was sent when, and how each attempt went (not the body). */
export interface DeliveryView {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  scanId: string;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  attemptLog: DeliveryAttempt[];
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface DeliveryPage {
  items: DeliveryView[];
  /** Pass back as `after` for the next page; null on the last one. */
  nextCursor: string | null;
}

interface WebhookRow {
  id: string;
  url: string;
  events: WebhookEvent[];
  created_at: Date;
}

export function presentWebhook(row: { id: string; url: string; events: WebhookEvent[]; createdAt: Date }): WebhookView {
  return { id: row.id, url: row.url, events: row.events, createdAt: row.createdAt.toISOString() };
}

const toView = (row: WebhookRow): WebhookView =>
  presentWebhook({ id: row.id, url: row.url, events: row.events, createdAt: row.created_at });

/** Pages on the UUIDv7 id (creation order), newest first. */
const ID_CURSOR = keysetCursor(['uuid']);

/**
 * Read-only access to webhooks and their deliveries for other services (the gateway), always
 * within one tenant. Plain SQL naming its columns: the secret column is never read, and no
 * DataSource needs these entities registered.
 */
@Injectable()
export class WebhookReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(tenantId: string): Promise<WebhookView[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, url, events, created_at FROM status.webhooks WHERE tenant_id = $1 ORDER BY created_at, id LIMIT 1000`,
      [tenantId],
    )) as WebhookRow[];
    return rows.map(toView);
  }

  async find(tenantId: string, id: string): Promise<WebhookView | undefined> {
    const [row] = (await this.dataSource.query(`SELECT id, url, events, created_at FROM status.webhooks WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ])) as WebhookRow[];
    return row ? toView(row) : undefined;
  }

  /** Newest first; `cursor` is the previous page's nextCursor (an InvalidCursorError if we did not issue it). */
  async deliveries(tenantId: string, webhookId: string, options: { cursor?: string; limit: number }): Promise<DeliveryPage> {
    const params: unknown[] = [tenantId, webhookId, options.limit + 1];
    let after = '';
    if (options.cursor) {
      params.push(ID_CURSOR.decode(options.cursor)[0]);
      after = 'AND id < $4';
    }
    const rows = (await this.dataSource.query(
      `SELECT id, webhook_id AS "webhookId", event, scan_id AS "scanId", status, attempts,
              CASE WHEN status = 'pending' THEN next_attempt_at END AS "nextAttemptAt",
              last_status_code AS "lastStatusCode", last_error AS "lastError", attempt_log AS "attemptLog",
              delivered_at AS "deliveredAt", created_at AS "createdAt"
       FROM status.notifications
       WHERE tenant_id = $1 AND webhook_id = $2 ${after}
       ORDER BY id DESC LIMIT $3`,
      params,
    )) as DeliveryView[];
    const items = rows.slice(0, options.limit);
    return { items, nextCursor: rows.length > options.limit ? ID_CURSOR.encode([items[items.length - 1].id]) : null };
  }
}
