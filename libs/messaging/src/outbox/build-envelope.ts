import { MessageEnvelope, PayloadOf, WireName } from '@vulnscan/contracts';
import { CorrelationContext } from '@vulnscan/observability';
import { v7 as uuidv7 } from 'uuid';

/** What a producer says about a message; the rest of the envelope is filled in from context. */
export interface MessageDraft<N extends WireName> {
  type: N;
  /** Checked against the contract of `type` at compile time, and validated again before anything is stored or sent. */
  payload: PayloadOf<N>;
  tenantId?: string;
  correlationId?: string;
  causationId?: string;
}

/**
 * A draft of any one of `Names`: a union with one member per wire name, so a list of drafts may mix
 * message types while each payload is still checked against its own type.
 */
export type AnyMessageDraft<Names extends WireName = WireName> = { [N in Names]: MessageDraft<N> }[Names];

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
export function buildEnvelope<N extends WireName>(draft: MessageDraft<N>, ambient: AmbientContext = {}): MessageEnvelope<PayloadOf<N>> {
  const id = ambient.id ?? uuidv7();
  const envelope = new MessageEnvelope<PayloadOf<N>>();
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
