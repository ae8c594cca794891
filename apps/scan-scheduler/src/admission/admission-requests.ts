import { ScanRequestFields, ScanTrigger } from '@vulnscan/contracts';
import { BatchSource } from '@vulnscan/scan-data';

/** One scan asked for: by the API (CreateScan) or by another service (ScanRequested, e.g. the cache). */
export interface ScanAdmissionRequest extends ScanRequestFields {
  tenantId: string;
  requestedBy?: string;
  requestId?: string;
  viaCache?: boolean;
}

/** The answer to one scan asked for: the new scan, or the one already queued or running. */
export interface AdmittedScan {
  scanId: string;
  status: string;
  image: string;
  deduplicated: boolean;
}

/** Many scans asked for at once: a bulk scan or a schedule's run. */
export interface BatchAdmissionRequest {
  tenantId: string;
  source: BatchSource;
  trigger: ScanTrigger;
  references: string[];
  scheduleId?: string;
  requestedBy?: string;
  forceRescan?: boolean;
  /** References matching it are left out and counted as skipped (schedules: SCAN_SKIP_PATTERN). */
  skip?: RegExp;
  /** A reference that does not parse: refused (a request the user typed) or skipped (a registry's list). */
  invalid: 'reject' | 'skip';
}

/** The answer to a batch (the CreateBulkScan reply and a schedule run's outcome). */
export interface BatchOutcome {
  batchId: string;
  /** Scans created in the batch. */
  count: number;
  /** Images left out because a scan of them was already queued or running. */
  deduplicated: number;
  /** References left out by the skip pattern or because they do not parse. */
  skipped: number;
}
