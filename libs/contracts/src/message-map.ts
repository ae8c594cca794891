import {
  CancelScanCommand,
  CancelScanReply,
  CreateScanCommand,
  CreateScanReply,
  ScanAcceptedPayload,
  ScanRequestedPayload,
} from './messages/scan-requests';
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
import { DeleteRegistryCredentialCommand, PutRegistryCredentialCommand, RegistryCredentialView } from './messages/registry-credentials';
import { CreatedWebhookView, CreateWebhookCommand, DeleteWebhookCommand } from './messages/webhooks';
import { DeleteUpstreamCommand, PutUpstreamCommand, UpstreamView } from './messages/upstreams';
import { DeadLetterReplayedReply, DeletedReply } from './messages/command-replies';
import {
  BatchCanceledReply,
  BatchCreatedReply,
  BatchRefCommand,
  CreateBulkScanCommand,
  CreateScheduleCommand,
  ListTargetImagesCommand,
  ListTargetImagesReply,
  ScheduleIdReply,
  ScheduleRefCommand,
  UpdateScheduleCommand,
} from './messages/schedules';
import { ScansPurgedPayload } from './messages/retention';
import { TenantDeletedPayload } from './messages/tenants';
import { MessageEnvelope } from './envelope';
import { CommandName, Commands, Events, WireName } from './wire-names';

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
  [Events.TenantDeleted]: TenantDeletedPayload,
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
/** The envelope a handler of `N` receives: `@EventPattern(Events.ScanStarted) started(message: EnvelopeOf<typeof Events.ScanStarted>)`. */
export type EnvelopeOf<N extends WireName> = MessageEnvelope<PayloadOf<N>>;

/**
 * The reply of every command, fixed by the contract: requesters get `CommandReplyOf<C>` back and
 * each `@MessagePattern` handler returns it, so neither side can pick another type.
 */
export interface CommandReplies {
  [Commands.CreateScan]: CreateScanReply;
  [Commands.CancelScan]: CancelScanReply;
  [Commands.ReplayDeadLetter]: DeadLetterReplayedReply;
  [Commands.PutRegistryCredential]: RegistryCredentialView;
  [Commands.DeleteRegistryCredential]: DeletedReply;
  [Commands.CreateWebhook]: CreatedWebhookView;
  [Commands.DeleteWebhook]: DeletedReply;
  [Commands.PutUpstream]: UpstreamView;
  [Commands.DeleteUpstream]: DeletedReply;
  [Commands.CreateSchedule]: ScheduleIdReply;
  [Commands.UpdateSchedule]: ScheduleIdReply;
  [Commands.DeleteSchedule]: DeletedReply;
  [Commands.TriggerSchedule]: BatchCreatedReply;
  [Commands.CreateBulkScan]: BatchCreatedReply;
  [Commands.CancelBatch]: BatchCanceledReply;
  [Commands.ListTargetImages]: ListTargetImagesReply;
}

/** Indexing by every command name fails to compile when a command has no entry in CommandReplies. */
export type CommandReplyOf<C extends CommandName> = CommandReplies[C];

export function isKnownWireName(name: string): name is WireName {
  return Object.prototype.hasOwnProperty.call(MESSAGE_CONTRACTS, name);
}
