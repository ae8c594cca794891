/**
 * Failures of request/reply itself, whichever service owns the command: the transport answers
 * them, or the requester concludes them. The values are API error codes: never change one.
 */
export enum MessagingErrorCode {
  /** The command's payload does not validate against its contract. */
  InvalidPayload = 'invalid_payload',
  /** The handler failed unexpectedly (details stay in the owner's log). */
  Internal = 'internal',
  /** The service bound the command's routing key but has no handler for it (e.g. an older version). */
  NoHandler = 'no_handler',
  /** The dead letter to replay is not in the service's dead-letter store. */
  DeadLetterNotFound = 'not_found',
  BrokerUnavailable = 'broker_unavailable',
  /** No queue is bound to the command: no service consumes it. */
  Unroutable = 'unroutable',
  InvalidReply = 'invalid_reply',
  ConnectionLost = 'connection_lost',
  ShuttingDown = 'shutting_down',
  /** The command is for a tenant deleted while it was on its way (the owner holds its tombstone). */
  TenantDeleted = 'tenant_deleted',
}
