import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CommandReplyOf, Commands, EnvelopeOf } from '@vulnscan/contracts';
import { RegistryCredentials } from './registry-credentials.service';

/** Commands from the gateway: the worker owns registry credentials because it is the one using them. */
@Controller()
export class RegistryCredentialsController {
  constructor(private readonly credentials: RegistryCredentials) {}

  @MessagePattern(Commands.PutRegistryCredential)
  put(
    @Payload() message: EnvelopeOf<typeof Commands.PutRegistryCredential>,
  ): Promise<CommandReplyOf<typeof Commands.PutRegistryCredential>> {
    return this.credentials.put(message.payload, { ...message, tenantId: message.payload.tenantId });
  }

  @MessagePattern(Commands.DeleteRegistryCredential)
  async delete(
    @Payload() message: EnvelopeOf<typeof Commands.DeleteRegistryCredential>,
  ): Promise<CommandReplyOf<typeof Commands.DeleteRegistryCredential>> {
    await this.credentials.delete(message.payload.tenantId, message.payload.id);
    return { deleted: true };
  }
}
