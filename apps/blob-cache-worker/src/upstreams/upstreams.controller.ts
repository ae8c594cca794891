import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CommandReplyOf, Commands, EnvelopeOf } from '@vulnscan/contracts';
import { TenantTombstones } from '@vulnscan/messaging';
import { servesTenant } from './upstream-config';
import { UpstreamTable } from './upstream-table';
import { Upstreams } from './upstreams.service';

/** Commands from the gateway: the cache owns upstreams because it is the one pulling through them. */
@Controller()
export class UpstreamsController {
  constructor(
    private readonly table: UpstreamTable,
    private readonly upstreams: Upstreams,
    private readonly tombstones: TenantTombstones,
  ) {}

  @MessagePattern(Commands.PutUpstream)
  put(@Payload() message: EnvelopeOf<typeof Commands.PutUpstream>): Promise<CommandReplyOf<typeof Commands.PutUpstream>> {
    return this.table.put(
      message.payload,
      (registry, tenantId) => {
        const upstream = this.upstreams.byName(registry);
        return upstream !== undefined && servesTenant(upstream, tenantId);
      },
      // A request in flight while its tenant was deleted stores no upstream (nor its sealed password) a re-created id would inherit.
      (manager) => this.tombstones.refuseForDeletedIncarnation(manager, { ...message, tenantId: message.payload.tenantId }),
    );
  }

  @MessagePattern(Commands.DeleteUpstream)
  async delete(@Payload() message: EnvelopeOf<typeof Commands.DeleteUpstream>): Promise<CommandReplyOf<typeof Commands.DeleteUpstream>> {
    await this.table.delete(message.payload.tenantId, message.payload.id);
    return { deleted: true };
  }
}
