import { ScanCompletedPayload, WebhookEvent } from '@vulnscan/contracts';
import type { CompletedScanFacts, NewFinding } from './scan-history';

/** What every webhook body says about the completed scan. */
export interface ScanCompletedBody {
  event: WebhookEvent;
  delivery_id: string;
  occurred_at: string;
  tenant_id: string;
  scan: {
    id: string;
    image: string;
    manifest_digest: string;
    media_type: string;
    platform: { os: string; architecture: string; variant?: string };
    trigger: string | null;
  };
  /** Null only if the scan has no report (it always should). */
  report: {
    id: string;
    vulndb_version: string | null;
    summary: { total: number; fixable: number; by_severity: Record<string, number> };
  } | null;
}

export interface NewVulnerabilitiesBody extends ScanCompletedBody {
  /** The scan compared with; null for an image's first completed scan (every finding is new). */
  previous_scan_id: string | null;
  new_vulnerabilities: { total: number; truncated: boolean; items: NewFinding[] };
}

type Base = Omit<ScanCompletedBody, 'event' | 'delivery_id'>;

export function baseBody(tenantId: string, event: ScanCompletedPayload, facts: CompletedScanFacts, now = new Date()): Base {
  return {
    occurred_at: event.completedAt ? new Date(event.completedAt).toISOString() : now.toISOString(),
    tenant_id: tenantId,
    scan: {
      id: event.scanId,
      image: event.image,
      manifest_digest: event.result.manifestDigest,
      media_type: event.result.mediaType,
      platform: { ...event.result.platform },
      trigger: event.trigger ?? null,
    },
    report: facts.report ? { id: facts.report.id, vulndb_version: facts.report.vulndbVersion, summary: facts.report.summary } : null,
  };
}

/** The JSON text of a `scan.completed` delivery (signed and sent as it is, on every attempt). */
export function scanCompletedBody(deliveryId: string, base: Base): string {
  const body: ScanCompletedBody = { event: WebhookEvent.ScanCompleted, delivery_id: deliveryId, ...base };
  return JSON.stringify(body);
}

export function newVulnerabilitiesBody(
  deliveryId: string,
  base: Base,
  previousScanId: string | null,
  fresh: { items: NewFinding[]; total: number },
): string {
  const body: NewVulnerabilitiesBody = {
    event: WebhookEvent.NewVulnerabilities,
    delivery_id: deliveryId,
    ...base,
    previous_scan_id: previousScanId,
    new_vulnerabilities: { total: fresh.total, truncated: fresh.items.length < fresh.total, items: fresh.items },
  };
  return JSON.stringify(body);
}
