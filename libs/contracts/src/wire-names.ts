/**
 * Wire names of every message on the bus. They are the protocol between deployed services:
 * NEVER rename, reuse or derive one from a class name. A breaking payload change gets a new
 * name with the next version suffix, and both are consumed until the old one has drained.
 */
export const Events = {
  ScanRequested: 'scan.requested.v1',
  ScanAccepted: 'scan.accepted.v1',
  ScanJobQueued: 'scan.job.queued.v1',
  /** A job the work queue gave up on after its delivery limit (it kept crashing workers). */
  ScanJobDeadLettered: 'scan.job.dead-lettered.v1',
  ScanCanceled: 'scan.canceled.v1',
  ScanStarted: 'scan.started.v1',
  ScanCompleted: 'scan.completed.v1',
  ScanFailed: 'scan.failed.v1',
  ScanAttemptStarted: 'scan.attempt.started.v1',
  ScanAttemptProgressed: 'scan.attempt.progressed.v1',
  ScanAttemptSucceeded: 'scan.attempt.succeeded.v1',
  ScanAttemptFailed: 'scan.attempt.failed.v1',
  VulnDbUpdated: 'vulndb.updated.v1',
  FeedSyncRequested: 'feed.sync.requested.v1',
  ManifestCached: 'manifest.cached.v1',
  BlobDownloaded: 'blob.downloaded.v1',
  ManifestComplete: 'manifest.complete.v1',
  ScansPurged: 'scans.purged.v1',
  TenantDeleted: 'tenant.deleted.v1',
} as const;

/** Request/reply commands (RabbitMQ direct reply-to). Same rule: never change a name. */
export const Commands = {
  CreateScan: 'command.scan.create.v1',
  CancelScan: 'command.scan.cancel.v1',
  ReplayDeadLetter: 'command.dead-letter.replay.v1',
  PutRegistryCredential: 'command.registry-credential.put.v1',
  DeleteRegistryCredential: 'command.registry-credential.delete.v1',
  CreateWebhook: 'command.webhook.create.v1',
  DeleteWebhook: 'command.webhook.delete.v1',
  PutUpstream: 'command.upstream.put.v1',
  DeleteUpstream: 'command.upstream.delete.v1',
  CreateSchedule: 'command.schedule.create.v1',
  UpdateSchedule: 'command.schedule.update.v1',
  DeleteSchedule: 'command.schedule.delete.v1',
  TriggerSchedule: 'command.schedule.trigger.v1',
  CreateBulkScan: 'command.bulk-scan.create.v1',
  CancelBatch: 'command.batch.cancel.v1',
  ListTargetImages: 'command.target-images.list.v1',
} as const;

export type EventName = (typeof Events)[keyof typeof Events];
export type CommandName = (typeof Commands)[keyof typeof Commands];
export type WireName = EventName | CommandName;
