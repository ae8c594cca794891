import { Inject, Injectable } from '@nestjs/common';
import {
  CancelScanReply,
  CommandName,
  CommandReplyOf,
  Commands,
  CreateScanCommand,
  CreateScanReply,
  GatewayErrorCode,
  PayloadOf,
  ScanTrigger,
} from '@vulnscan/contracts';
import { AmqpRequester } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { requestFailureToApiError } from './errors';
import { GatewayEnv } from './env';

/**
 * Request/reply commands to the services that own what the API changes. An owner's refusal keeps
 * its code, with the status the gateway's table gives it; no answer or no broker is a 503 with Retry-After.
 */
@Injectable()
export class OwnerCommands {
  constructor(
    private readonly requester: AmqpRequester,
    @Inject(SERVICE_ENV) private readonly env: GatewayEnv,
  ) {}

  /** An API scan request: the tenant and the trigger are the gateway's to set, not the caller's. */
  create(tenantId: string, request: Omit<CreateScanCommand, 'tenantId' | 'trigger'>): Promise<CreateScanReply> {
    return this.send(Commands.CreateScan, tenantId, { ...request, tenantId, trigger: ScanTrigger.Api });
  }

  cancel(tenantId: string, scanId: string): Promise<CancelScanReply> {
    return this.send(Commands.CancelScan, tenantId, { tenantId, scanId });
  }

  async send<C extends CommandName>(command: C, tenantId: string, payload: PayloadOf<C>): Promise<CommandReplyOf<C>> {
    try {
      return await this.requester.request(command, payload, { tenantId, timeoutMs: this.env.COMMAND_TIMEOUT_MS });
    } catch (error) {
      throw requestFailureToApiError(error, {
        code: GatewayErrorCode.OwnerUnavailable,
        detail: `No answer to ${command} in time; try again.`,
      });
    }
  }
}
