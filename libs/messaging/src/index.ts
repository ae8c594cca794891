export { MessagingModule, MessagingModuleAsyncOptions } from './messaging.module';
export { MessagingOptions, QueueSpec, ResolvedMessagingOptions, MESSAGING_OPTIONS, resolveMessagingOptions } from './messaging.options';
export {
  NonRetryableError,
  CommandRejectedError,
  CommandFailedError,
  RequestTimeoutError,
  UnroutableMessageError,
  BrokerUnavailableError,
} from './messaging.errors';
export { AmqpConnection } from './connection/amqp-connection';
export { PostgresListener } from './connection/postgres-listener';
export { AmqpTransport, AmqpTransportEvents, AmqpTransportStatus } from './transport/amqp-transport';
export { AmqpContext } from './transport/amqp-context';
export { AmqpRequester, RequestOptions } from './request/amqp-requester';
export { CommandReply, CommandReplyError } from './request/reply';
export { Outbox, OutboxMessage } from './outbox/outbox';
export { OutboxRelay } from './outbox/outbox-relay';
export { AnyMessageDraft, buildEnvelope, MessageDraft } from './outbox/build-envelope';
export { Inbox, InboxResult } from './inbox/inbox';
export { TenantTombstones, TenantMessage } from './tenants/tenant-tombstones';
export { DeadLetters, DeadLetter, DeadLetterPage, DeadLetterQuery } from './dead-letters/dead-letters';
export { messagingMigrations, MigrationClass } from './migrations/messaging-migrations';
export { DEAD_LETTERS_TABLE } from './sql';
export { TopologyNames, deadLetterReplayRoutingKey } from './topology/topology-names';
export { MessageHeaders, DeadLetterReason } from './topology/headers';
