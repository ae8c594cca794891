import { v7 as uuidv7 } from 'uuid';
import { PlatformDto, ScanJobKind, ScanTrigger } from '@vulnscan/contracts';

/** What differs between two new scans; everything else a new scan starts with is in NEW_SCAN_SQL. */
export interface ScanRowDraft {
  tenantId: string;
  imageId: string;
  image: string;
  registry: string;
  kind: ScanJobKind;
  trigger: ScanTrigger;
  forceRescan: boolean;
  idempotencyKey: string | null;
  requestedBy: string | null;
  requestId: string | null;
  requestedPlatform: PlatformDto | null;
  viaCache: boolean;
  batchId: string | null;
  /** A re-match is bound to the manifest its SBOM came from. */
  manifestDigest: string | null;
}

/** The defaults every caller may leave out: a plain scan of the image, asked for by nobody in particular. */
export const SCAN_ROW_DEFAULTS: Omit<ScanRowDraft, 'tenantId' | 'imageId' | 'image' | 'registry' | 'trigger'> = {
  kind: ScanJobKind.Scan,
  forceRescan: false,
  idempotencyKey: null,
  requestedBy: null,
  requestId: null,
  requestedPlatform: null,
  viaCache: false,
  batchId: null,
  manifestDigest: null,
};

/**
 * Inserts any number of new scans in one statement (one array per column), so a single scan and a
 * 10,000-image batch go through the same column list. A scan asked for by a request id (ScanRequested)
 * is `followed`: its requester follows it by its events. A new scan is queued, attempt 0, due now; its
 * deadline is SCAN_TIMEOUT_PER_IMAGE from now (the dispatcher moves it on at the first dispatch).
 */
export const NEW_SCAN_SQL = `
  INSERT INTO scheduler.scans (id, tenant_id, image_id, image, registry, kind, trigger, force_rescan, idempotency_key,
    requested_by, request_id, requested_platform, via_cache, batch_id, manifest_digest, followed,
    status, progress, attempt, created_at, next_attempt_at, timeout_at, updated_at)
  SELECT c.*, c.request_id IS NOT NULL, 'queued', 0, 0, now(), now(), now() + make_interval(secs => $16), now()
  FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::text[],
    $10::text[], $11::uuid[], $12::jsonb[], $13::boolean[], $14::uuid[], $15::text[])
    AS c(id, tenant_id, image_id, image, registry, kind, trigger, force_rescan, idempotency_key,
      requested_by, request_id, requested_platform, via_cache, batch_id, manifest_digest)
  RETURNING id, image_id AS "imageId", image, status`;

/** The parameters of NEW_SCAN_SQL: fresh ids, the drafts column by column, and the deadline in seconds. */
export function newScanParams(drafts: readonly ScanRowDraft[], timeoutSeconds: number, newId: () => string = uuidv7): unknown[] {
  const column = <K extends keyof ScanRowDraft>(key: K): ScanRowDraft[K][] => drafts.map((draft) => draft[key]);
  return [
    drafts.map(() => newId()),
    column('tenantId'),
    column('imageId'),
    column('image'),
    column('registry'),
    column('kind'),
    column('trigger'),
    column('forceRescan'),
    column('idempotencyKey'),
    column('requestedBy'),
    column('requestId'),
    // jsonb[] elements travel as JSON text
    drafts.map((draft) => (draft.requestedPlatform ? JSON.stringify(draft.requestedPlatform) : null)),
    column('viaCache'),
    column('batchId'),
    column('manifestDigest'),
    timeoutSeconds,
  ];
}
