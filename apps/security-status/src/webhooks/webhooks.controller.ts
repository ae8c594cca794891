import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CommandReplyOf, Commands, EnvelopeOf } from '@vulnscan/contracts';
import { TenantTombstones } from '@vulnscan/messaging';
import { WebhookRegistrations } from './webhook-registrations.service';

/** Commands from the gateway: security-status owns webhooks. */
@Controller()
export class WebhooksController {
  constructor(
    private readonly registrations: WebhookRegistrations,
    private readonly tombstones: TenantTombstones,
  ) {}

  @MessagePattern(Commands.CreateWebhook)
  create(@Payload() message: EnvelopeOf<typeof Commands.CreateWebhook>): Promise<CommandReplyOf<typeof Commands.CreateWebhook>> {
    // A request in flight while its tenant was deleted stores no webhook (nor its signing secret) a re-created id would inherit.
    return this.registrations.create(message.payload, (manager) =>
      this.tombstones.refuseForDeletedIncarnation(manager, { ...message, tenantId: message.payload.tenantId }),
    );
  }

  @MessagePattern(Commands.DeleteWebhook)
  async delete(@Payload() message: EnvelopeOf<typeof Commands.DeleteWebhook>): Promise<CommandReplyOf<typeof Commands.DeleteWebhook>> {
    await this.registrations.delete(message.payload.tenantId, message.payload.id);
    return { deleted: true };
  }
}
