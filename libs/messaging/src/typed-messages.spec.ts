import { CommandReplyOf, Commands, EnvelopeOf, Events, ScanTrigger } from '@vulnscan/contracts';
import { EntityManager } from 'typeorm';
import { buildEnvelope, MessageDraft } from './outbox/build-envelope';
import { Outbox, OutboxMessage } from './outbox/outbox';
import { AmqpRequester } from './request/amqp-requester';

/*
 * Type-level checks: `npm run typecheck` compiles this file, and each `@ts-expect-error` fails the
 * check as soon as the line below it compiles, i.e. if a payload or a reply type ever loosens.
 * The exported functions are never called; they only have to type-check.
 */
const scanId = '0190f0a0-0000-7000-8000-000000000001';
const image = 'docker.io/library/alpine:3.20';
type Purged = typeof Events.ScansPurged;
type Canceled = typeof Events.ScanCanceled;

export function draftsAreCheckedAgainstTheirContract(): MessageDraft<Canceled>[] {
  const canceled: MessageDraft<Canceled> = { type: Events.ScanCanceled, payload: { scanId, image } };
  const extraField: MessageDraft<Canceled> = {
    type: Events.ScanCanceled,
    // @ts-expect-error a field the contract does not have
    payload: { scanId, image, reason: 'x' },
  };
  const otherPayload: MessageDraft<Canceled> = {
    type: Events.ScanCanceled,
    // @ts-expect-error the payload of another message (scans.purged.v1)
    payload: { scanIds: [scanId] },
  };
  return [canceled, extraField, otherPayload];
}

export function listsMixTypesAndCheckEachOne(): OutboxMessage[] {
  const mixed: OutboxMessage[] = [
    { type: Events.ScanCanceled, payload: { scanId, image } },
    { type: Events.ScansPurged, payload: { scanIds: [scanId] } },
  ];
  const swapped: OutboxMessage[] = [
    // @ts-expect-error each member is checked against its own type: a purge payload under ScanCanceled
    { type: Events.ScanCanceled, payload: { scanIds: [scanId] } },
  ];
  const cancel: MessageDraft<typeof Commands.CancelScan> = { type: Commands.CancelScan, payload: { tenantId: 'acme', scanId } };
  // @ts-expect-error commands never go through the outbox
  const command: OutboxMessage = cancel;
  return [...mixed, ...swapped, command];
}

export async function outboxAddTakesTheContractPayload(outbox: Outbox, manager: EntityManager): Promise<EnvelopeOf<Purged>> {
  // @ts-expect-error scanIds is a list
  await outbox.add(manager, { type: Events.ScansPurged, payload: { scanIds: scanId } });
  return outbox.add(manager, { type: Events.ScansPurged, payload: { scanIds: [scanId] } });
}

export async function repliesAreFixedByTheCommand(requester: AmqpRequester): Promise<boolean> {
  const cancel = { tenantId: 'acme', scanId };
  const reply: CommandReplyOf<typeof Commands.CancelScan> = await requester.request(Commands.CancelScan, cancel);
  // @ts-expect-error the caller cannot pick the reply type any more
  await requester.request<{ anything: true }>(Commands.CancelScan, cancel);
  // @ts-expect-error the reply of CancelScan has no deduplicated field
  const { deduplicated } = await requester.request(Commands.CancelScan, cancel);
  // @ts-expect-error the payload of CreateScan does not fit CancelScan
  await requester.request(Commands.CancelScan, { tenantId: 'acme', image, trigger: ScanTrigger.Api });
  return reply.canceled && deduplicated;
}

type DeleteWebhookHandler = (message: EnvelopeOf<typeof Commands.DeleteWebhook>) => Promise<CommandReplyOf<typeof Commands.DeleteWebhook>>;

export function handlersCannotAnswerAnotherType(): DeleteWebhookHandler {
  // @ts-expect-error a delete command answers { deleted: true }
  return async () => ({ deleted: false });
}

describe('typed messages', () => {
  it('builds an envelope whose payload type follows the wire name', () => {
    const envelope = buildEnvelope({ type: Events.ScansPurged, payload: { scanIds: [scanId] } });
    const ids: string[] = envelope.payload.scanIds;
    expect(ids).toEqual([scanId]);
  });
});
