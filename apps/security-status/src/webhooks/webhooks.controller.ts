import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, CreatedWebhookView, CreateWebhookCommand, DeleteWebhookCommand, MessageEnvelope } from '@vulnscan/contracts';
import { WebhookRegistrations } from './webhook-registrations.service';

/** Commands from the gateway: security-status owns webhooks. */
@Controller()
export class WebhooksController {
  constructor(private readonly registrations: WebhookRegistrations) {}

  @MessagePattern(Commands.CreateWebhook)
  create(@Payload() message: MessageEnvelope<CreateWebhookCommand>): Promise<CreatedWebhookView> {
    return this.registrations.create(message.payload);
  }

  @MessagePattern(Commands.DeleteWebhook)
  async delete(@Payload() message: MessageEnvelope<DeleteWebhookCommand>): Promise<{ deleted: true }> {
    await this.registrations.delete(message.payload.tenantId, message.payload.id);
    return { deleted: true };
  }
}
