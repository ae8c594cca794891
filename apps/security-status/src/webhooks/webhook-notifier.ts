import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ScanCompletedPayload, WebhookEvent } from '@vulnscan/contracts';
import { WebhookMetrics } from './metrics';
import { baseBody, newVulnerabilitiesBody, scanCompletedBody } from './payloads';
import { ScanHistory } from './scan-history';

/** At most this many new vulnerabilities are listed in one body (`truncated` says when there were more). */
export const MAX_LISTED_VULNERABILITIES = 1000;

const enqueued = WebhookMetrics.enqueued();

/**
 * Turns a completed scan into notifications of the tenant's webhooks: rows of the delivery queue,
 * written in the caller's transaction (the ScanCompleted inbox transaction), so an event is
 * notified exactly once. No HTTP here: the WebhookDeliverer sends them.
 */
@Injectable()
export class WebhookNotifier {
  private readonly logger = new Logger(WebhookNotifier.name);

  constructor(private readonly history: ScanHistory) {}

  /** Called in the transaction that records a ScanCompleted (with its inbox row). */
  async scanCompleted(manager: EntityManager, tenantId: string, event: ScanCompletedPayload): Promise<void> {
    const hooks = (await manager.query(`SELECT id, events FROM status.webhooks WHERE tenant_id = $1 ORDER BY id`, [tenantId])) as {
      id: string;
      events: WebhookEvent[];
    }[];
    if (hooks.length === 0) return;
    const wanted = new Set(hooks.flatMap((hook) => hook.events));
    const facts = await this.history.completedScan(manager, tenantId, event.scanId);
    if (!facts.report) this.logger.warn({ scanId: event.scanId }, 'completed scan without a report: notifying without one');
    const base = baseBody(tenantId, event, facts);

    const bodies = new Map<WebhookEvent, (deliveryId: string) => string>();
    if (wanted.has(WebhookEvent.ScanCompleted)) bodies.set(WebhookEvent.ScanCompleted, (id) => scanCompletedBody(id, base));
    // History is compared only when both sides are known; an image's first scan makes all its findings new.
    if (wanted.has(WebhookEvent.NewVulnerabilities) && facts.report) {
      const previousReport = facts.previous?.report?.id ?? null;
      const fresh = await this.history.newFindings(manager, facts.report.id, previousReport, MAX_LISTED_VULNERABILITIES);
      if (fresh.total > 0) {
        const previousScanId = facts.previous?.report ? facts.previous.scanId : null;
        bodies.set(WebhookEvent.NewVulnerabilities, (id) => newVulnerabilitiesBody(id, base, previousScanId, fresh));
      }
    }

    const rows: unknown[][] = [];
    for (const hook of hooks) {
      for (const kind of hook.events) {
        const body = bodies.get(kind);
        if (!body) continue;
        const id = uuidv7();
        rows.push([id, tenantId, hook.id, kind, event.scanId, body(id)]);
      }
    }
    if (rows.length === 0) return;
    const values = rows.map(
      (_, i) =>
        `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6}, 'pending', now(), now(), now())`,
    );
    await manager.query(
      `INSERT INTO status.notifications (id, tenant_id, webhook_id, event, scan_id, body, status, next_attempt_at, created_at, updated_at)
       VALUES ${values.join(', ')}
       ON CONFLICT (webhook_id, scan_id, event) DO NOTHING`,
      rows.flat(),
    );
    for (const row of rows) enqueued.inc({ event: row[3] as string });
  }
}
