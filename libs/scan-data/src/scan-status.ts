/** A scan's state; only the scan-scheduler moves it (other services read it or follow its events). */
export enum ScanStatus {
  Queued = 'queued',
  Running = 'running',
  Completed = 'completed',
  Failed = 'failed',
  Canceled = 'canceled',
}

export const ACTIVE_STATUSES: readonly ScanStatus[] = [ScanStatus.Queued, ScanStatus.Running];

/** What created a batch of scans: a bulk request or a schedule run. */
export enum BatchSource {
  Bulk = 'bulk',
  Schedule = 'schedule',
}
