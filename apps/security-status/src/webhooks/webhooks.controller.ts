import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CommandReplyOf, Commands, EnvelopeOf } from '@vulnscan/contracts';
import { WebhookRegistrations } from './webhook-registrations.service';

/** Commands from the gateway: security-status owns webhooks. */
@Controller()
export class WebhooksController {
  constructor(private readonly registrations: WebhookRegistrations) {}

  @MessagePattern(Commands.CreateWebhook)
  create(@Payload() message: EnvelopeOf<typeof Commands.CreateWebhook>): Promise<CommandReplyOf<typeof Commands.CreateWebhook>> {
    return this.registrations.create(message.payload);
  }

  @MessagePattern(Commands.DeleteWebhook)
  async delete(@Payload() message: EnvelopeOf<typeof Commands.DeleteWebhook>): Promise<CommandReplyOf<typeof Commands.DeleteWebhook>> {
    await this.registrations.delete(message.payload.tenantId, message.payload.id);
    return { deleted: true };
  }
}
