export enum DeliveryStatus {
  /** Waiting for its first or next attempt. */
  Pending = 'pending',
  /** A 2xx answer was received. */
  Delivered = 'delivered',
  /** Every attempt failed; no more are made. */
  Failed = 'failed',
}

/** One attempt to deliver a notification, as recorded in `attempt_log`. */
export interface DeliveryAttempt {
  attempt: number;
  /** ISO time the attempt started. */
  at: string;
  /** The receiver's HTTP status; null when none arrived (timeout, connection error, refused host). */
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}
