import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EntityManager } from 'typeorm';
import { EnvelopeOf, Events, MessageEnvelope } from '@vulnscan/contracts';
import { Inbox, NonRetryableError } from '@vulnscan/messaging';
import { WebhookNotifier } from '../webhooks';
import { SecurityStatusService } from './security-status.service';

/**
 * Cache events create and reset statuses; the scheduler's scan events move them. Each event's
 * effects commit with its inbox row, so a redelivered event changes nothing twice.
 */
@Controller()
export class StatusEventsController {
  constructor(
    private readonly inbox: Inbox,
    private readonly statuses: SecurityStatusService,
    private readonly webhooks: WebhookNotifier,
  ) {}

  @EventPattern(Events.ManifestCached)
  async manifestCached(@Payload() message: EnvelopeOf<typeof Events.ManifestCached>): Promise<void> {
    await this.handle('manifest-cached', message, (manager, tenantId) => this.statuses.manifestCached(manager, tenantId, message.payload));
  }

  @EventPattern(Events.ManifestComplete)
  async manifestComplete(@Payload() message: EnvelopeOf<typeof Events.ManifestComplete>): Promise<void> {
    await this.handle('manifest-complete', message, (manager, tenantId) =>
      this.statuses.manifestComplete(manager, tenantId, message.payload),
    );
  }

  @EventPattern(Events.ScanAccepted)
  async scanAccepted(@Payload() message: EnvelopeOf<typeof Events.ScanAccepted>): Promise<void> {
    await this.handle('scan-accepted', message, (manager, tenantId) => this.statuses.scanAccepted(manager, tenantId, message.payload));
  }

  @EventPattern(Events.ScanStarted)
  async scanStarted(@Payload() message: EnvelopeOf<typeof Events.ScanStarted>): Promise<void> {
    await this.handle('scan-started', message, (manager, tenantId) => this.statuses.scanStarted(manager, tenantId, message.payload));
  }

  @EventPattern(Events.ScanCompleted)
  async scanCompleted(@Payload() message: EnvelopeOf<typeof Events.ScanCompleted>): Promise<void> {
    await this.handle('scan-completed', message, async (manager, tenantId) => {
      await this.statuses.scanCompleted(manager, tenantId, message.payload);
      await this.webhooks.scanCompleted(manager, tenantId, message.payload);
    });
  }

  @EventPattern(Events.ScanFailed)
  async scanFailed(@Payload() message: EnvelopeOf<typeof Events.ScanFailed>): Promise<void> {
    await this.handle('scan-failed', message, (manager, tenantId) => this.statuses.scanFailed(manager, tenantId, message.payload));
  }

  private async handle(
    consumer: string,
    message: MessageEnvelope,
    apply: (manager: EntityManager, tenantId: string) => Promise<void>,
  ): Promise<void> {
    const tenantId = message.tenantId;
    if (!tenantId) throw new NonRetryableError(`${message.type} without a tenantId: no tenant owns it`);
    await this.inbox.runOnce(consumer, message, (manager) => apply(manager, tenantId));
  }
}
