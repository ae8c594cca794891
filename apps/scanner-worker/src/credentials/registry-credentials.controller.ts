import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Commands,
  DeleteRegistryCredentialCommand,
  MessageEnvelope,
  PutRegistryCredentialCommand,
  RegistryCredentialView,
} from '@vulnscan/contracts';
import { RegistryCredentials } from './registry-credentials.service';

/** Commands from the gateway: the worker owns registry credentials because it is the one using them. */
@Controller()
export class RegistryCredentialsController {
  constructor(private readonly credentials: RegistryCredentials) {}

  @MessagePattern(Commands.PutRegistryCredential)
  put(@Payload() message: MessageEnvelope<PutRegistryCredentialCommand>): Promise<RegistryCredentialView> {
    return this.credentials.put(message.payload);
  }

  @MessagePattern(Commands.DeleteRegistryCredential)
  async delete(@Payload() message: MessageEnvelope<DeleteRegistryCredentialCommand>): Promise<{ deleted: true }> {
    await this.credentials.delete(message.payload.tenantId, message.payload.id);
    return { deleted: true };
  }
}
