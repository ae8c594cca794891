import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CommandReplyOf, Commands, EnvelopeOf } from '@vulnscan/contracts';
import { BulkScans } from './bulk-scans.service';

/** The gateway's bulk-scan commands. */
@Controller()
export class BatchesController {
  constructor(private readonly bulk: BulkScans) {}

  @MessagePattern(Commands.CreateBulkScan)
  create(@Payload() message: EnvelopeOf<typeof Commands.CreateBulkScan>): Promise<CommandReplyOf<typeof Commands.CreateBulkScan>> {
    return this.bulk.create(message.payload, { ...message, tenantId: message.payload.tenantId });
  }

  @MessagePattern(Commands.CancelBatch)
  cancel(@Payload() message: EnvelopeOf<typeof Commands.CancelBatch>): Promise<CommandReplyOf<typeof Commands.CancelBatch>> {
    return this.bulk.cancel(message.payload.tenantId, message.payload.batchId);
  }
}
