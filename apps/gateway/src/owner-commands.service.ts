import { Inject, Injectable } from '@nestjs/common';
import {
  CancelScanReply,
  CommandName,
  CommandReplyOf,
  Commands,
  CreateScanCommand,
  CreateScanReply,
  PayloadOf,
  ScanTrigger,
} from '@vulnscan/contracts';
import { AmqpRequester, CommandFailedError, RequestTimeoutError } from '@vulnscan/messaging';
import { ApiError, SERVICE_ENV } from '@vulnscan/platform';
import { GatewayEnv } from './env';

/**
 * Request/reply commands to the services that own what the API changes. An owner's refusal
 * becomes its HTTP error; no answer or no broker becomes a 503 with Retry-After.
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
      if (error instanceof CommandFailedError) {
        const status = error.status ?? 400;
        const retryAfter = error.retryAfterSeconds ?? (status === 503 ? 5 : undefined);
        throw new ApiError(status, error.code, error.message, {}, retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {});
      }
      if (error instanceof RequestTimeoutError) {
        throw new ApiError(503, 'owner_unavailable', `No answer to ${command} in time; try again.`, {}, { 'Retry-After': '5' });
      }
      throw new ApiError(503, 'broker_unavailable', 'The message broker is not reachable; try again.', {}, { 'Retry-After': '5' });
    }
  }
}
