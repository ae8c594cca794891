import { CancelScanCommand, CreateScanCommand, ScanAcceptedPayload, ScanRequestedPayload } from './messages/scan-requests';
import {
  ScanCanceledPayload,
  ScanCompletedPayload,
  ScanFailedPayload,
  ScanJobQueuedPayload,
  ScanStartedPayload,
} from './messages/scan-lifecycle';
import {
  ScanAttemptFailedPayload,
  ScanAttemptProgressedPayload,
  ScanAttemptStartedPayload,
  ScanAttemptSucceededPayload,
} from './messages/scan-attempts';
import {
  BlobDownloadedPayload,
  FeedSyncRequestedPayload,
  ManifestCachedPayload,
  ManifestCompletePayload,
  ReplayDeadLetterCommand,
  VulnDbUpdatedPayload,
} from './messages/cache-and-feeds';
import { DeleteRegistryCredentialCommand, PutRegistryCredentialCommand } from './messages/registry-credentials';
import { CreateWebhookCommand, DeleteWebhookCommand } from './messages/webhooks';
import { DeleteUpstreamCommand, PutUpstreamCommand } from './messages/upstreams';
import {
  BatchRefCommand,
  CreateBulkScanCommand,
  CreateScheduleCommand,
  ListTargetImagesCommand,
  ScheduleRefCommand,
  UpdateScheduleCommand,
} from './messages/schedules';
import { ScansPurgedPayload } from './messages/retention';
import { Commands, Events, WireName } from './wire-names';

/** The payload class of every wire name: the one typed union of all messages. */
export const MESSAGE_CONTRACTS = {
  [Events.ScanRequested]: ScanRequestedPayload,
  [Events.ScanAccepted]: ScanAcceptedPayload,
  [Events.ScanJobQueued]: ScanJobQueuedPayload,
  [Events.ScanJobDeadLettered]: ScanJobQueuedPayload,
  [Events.ScanCanceled]: ScanCanceledPayload,
  [Events.ScanStarted]: ScanStartedPayload,
  [Events.ScanCompleted]: ScanCompletedPayload,
  [Events.ScanFailed]: ScanFailedPayload,
  [Events.ScanAttemptStarted]: ScanAttemptStartedPayload,
  [Events.ScanAttemptProgressed]: ScanAttemptProgressedPayload,
  [Events.ScanAttemptSucceeded]: ScanAttemptSucceededPayload,
  [Events.ScanAttemptFailed]: ScanAttemptFailedPayload,
  [Events.VulnDbUpdated]: VulnDbUpdatedPayload,
  [Events.FeedSyncRequested]: FeedSyncRequestedPayload,
  [Events.ManifestCached]: ManifestCachedPayload,
  [Events.BlobDownloaded]: BlobDownloadedPayload,
  [Events.ManifestComplete]: ManifestCompletePayload,
  [Events.ScansPurged]: ScansPurgedPayload,
  [Commands.CreateScan]: CreateScanCommand,
  [Commands.CancelScan]: CancelScanCommand,
  [Commands.ReplayDeadLetter]: ReplayDeadLetterCommand,
  [Commands.PutRegistryCredential]: PutRegistryCredentialCommand,
  [Commands.DeleteRegistryCredential]: DeleteRegistryCredentialCommand,
  [Commands.CreateWebhook]: CreateWebhookCommand,
  [Commands.DeleteWebhook]: DeleteWebhookCommand,
  [Commands.PutUpstream]: PutUpstreamCommand,
  [Commands.DeleteUpstream]: DeleteUpstreamCommand,
  [Commands.CreateSchedule]: CreateScheduleCommand,
  [Commands.UpdateSchedule]: UpdateScheduleCommand,
  [Commands.DeleteSchedule]: ScheduleRefCommand,
  [Commands.TriggerSchedule]: ScheduleRefCommand,
  [Commands.CreateBulkScan]: CreateBulkScanCommand,
  [Commands.CancelBatch]: BatchRefCommand,
  [Commands.ListTargetImages]: ListTargetImagesCommand,
} as const satisfies Record<WireName, new () => object>;

export type MessageContracts = typeof MESSAGE_CONTRACTS;
/** The payload type carried under a wire name: `PayloadOf<typeof Events.ScanStarted>`. */
export type PayloadOf<N extends WireName> = InstanceType<MessageContracts[N]>;

export function isKnownWireName(name: string): name is WireName {
  return Object.prototype.hasOwnProperty.call(MESSAGE_CONTRACTS, name);
}
