import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EntityManager } from 'typeorm';
import { EnvelopeOf, Events, MessageEnvelope } from '@vulnscan/contracts';
import { Inbox } from '@vulnscan/messaging';
import { ScanEntity } from '@vulnscan/scheduler-entities';
import { Dispatcher } from '../dispatch/dispatcher.service';
import { ScanLifecycle } from './scan-lifecycle.service';
import { attemptInFlight } from './scan-transitions';

/** Workers report attempts; the scheduler decides what they mean for the scan. */
@Controller()
export class AttemptEventsController {
  constructor(
    private readonly inbox: Inbox,
    private readonly lifecycle: ScanLifecycle,
    private readonly dispatcher: Dispatcher,
  ) {}

  @EventPattern(Events.ScanAttemptStarted)
  async started(@Payload() message: EnvelopeOf<typeof Events.ScanAttemptStarted>): Promise<void> {
    const { scanId, attempt, workerId } = message.payload;
    // One attempt's reports are consumed concurrently: its Started may be handled after its Failed,
    // when the scan is already queued again or finished. It must not revive the attempt then.
    await this.inbox.runOnce('attempt-started', message, async (manager) => {
      const scan = await this.lifecycle.lockCurrent(manager, scanId, attempt);
      if (scan && attemptInFlight(scan)) await this.lifecycle.started(manager, scan, workerId);
      else await this.lifecycle.startedLate(manager, scanId, attempt, workerId, new Date(message.occurredAt));
    });
  }

  @EventPattern(Events.ScanAttemptProgressed)
  async progressed(@Payload() message: EnvelopeOf<typeof Events.ScanAttemptProgressed>): Promise<void> {
    const { scanId, attempt, progress } = message.payload;
    await this.onCurrent('attempt-progressed', message, scanId, attempt, async (manager, scan) => {
      // like Started, a late Progressed of an attempt that already failed must not touch the queued scan
      if (attemptInFlight(scan)) await this.lifecycle.progressed(manager, scan, progress);
    });
  }

  @EventPattern(Events.ScanAttemptSucceeded)
  async succeeded(@Payload() message: EnvelopeOf<typeof Events.ScanAttemptSucceeded>): Promise<void> {
    const { scanId, attempt, result } = message.payload;
    await this.onCurrent('attempt-succeeded', message, scanId, attempt, (manager, scan) => this.lifecycle.succeeded(manager, scan, result));
    this.dispatcher.wake();
  }

  @EventPattern(Events.ScanAttemptFailed)
  async failed(@Payload() message: EnvelopeOf<typeof Events.ScanAttemptFailed>): Promise<void> {
    const { scanId, attempt, error, retryAfterSeconds } = message.payload;
    await this.onCurrent('attempt-failed', message, scanId, attempt, (manager, scan) =>
      this.lifecycle.attemptFailed(manager, scan, error, { retryAfterSeconds }),
    );
    this.dispatcher.wake();
  }

  @EventPattern(Events.ScanJobDeadLettered)
  async jobDeadLettered(@Payload() message: EnvelopeOf<typeof Events.ScanJobDeadLettered>): Promise<void> {
    const { scanId, attempt } = message.payload;
    await this.onCurrent('job-dead-lettered', message, scanId, attempt, (manager, scan) => this.lifecycle.crashed(manager, scan));
    this.dispatcher.wake();
  }

  private async onCurrent(
    consumer: string,
    message: MessageEnvelope,
    scanId: string,
    attempt: number,
    apply: (manager: EntityManager, scan: ScanEntity) => Promise<void>,
  ): Promise<void> {
    await this.inbox.runOnce(consumer, message, async (manager) => {
      const scan = await this.lifecycle.lockCurrent(manager, scanId, attempt);
      if (scan) await apply(manager, scan);
    });
  }
}
