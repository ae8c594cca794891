import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BatchRefCommand, Commands, CreateBulkScanCommand, MessageEnvelope } from '@vulnscan/contracts';
import { BatchOutcome } from '../admission/admission-requests';
import { BulkScans } from './bulk-scans.service';

/** The gateway's bulk-scan commands. */
@Controller()
export class BatchesController {
  constructor(private readonly bulk: BulkScans) {}

  @MessagePattern(Commands.CreateBulkScan)
  create(@Payload() message: MessageEnvelope<CreateBulkScanCommand>): Promise<BatchOutcome> {
    return this.bulk.create(message.payload);
  }

  @MessagePattern(Commands.CancelBatch)
  cancel(@Payload() message: MessageEnvelope<BatchRefCommand>): Promise<{ canceled: number }> {
    return this.bulk.cancel(message.payload.tenantId, message.payload.batchId);
  }
}
