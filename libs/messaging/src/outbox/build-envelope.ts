import { MessageEnvelope, WireName } from '@vulnscan/contracts';
import { CorrelationContext } from '@vulnscan/observability';
import { v7 as uuidv7 } from 'uuid';

/** What a producer says about a message; the rest of the envelope is filled in from context. */
export interface MessageDraft<N extends WireName = WireName> {
  type: N;
  /** Validated against the contract of `type` before anything is stored or sent. */
  payload: object;
  tenantId?: string;
  correlationId?: string;
  causationId?: string;
}

export interface AmbientContext {
  correlation?: CorrelationContext;
  traceparent?: string;
  now?: Date;
  id?: string;
}

/** Version of the envelope format itself; payload changes get new wire names instead. */
export const ENVELOPE_VERSION = 1;

/**
 * Builds the envelope of a new message. Without a correlation in context the message starts a new
 * chain, whose correlation id is the message's own id.
 */
export function buildEnvelope(draft: MessageDraft, ambient: AmbientContext = {}): MessageEnvelope {
  const id = ambient.id ?? uuidv7();
  const envelope = new MessageEnvelope();
  envelope.id = id;
  envelope.type = draft.type;
  envelope.version = ENVELOPE_VERSION;
  envelope.occurredAt = (ambient.now ?? new Date()).toISOString();
  envelope.correlationId = draft.correlationId ?? ambient.correlation?.correlationId ?? id;
  const causationId = draft.causationId ?? ambient.correlation?.causationId;
  if (causationId !== undefined) envelope.causationId = causationId;
  if (draft.tenantId !== undefined) envelope.tenantId = draft.tenantId;
  if (ambient.traceparent !== undefined) envelope.traceparent = ambient.traceparent;
  envelope.payload = draft.payload;
  return envelope;
}
