import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CommandReplyOf, Commands, EnvelopeOf, Events } from '@vulnscan/contracts';
import { Inbox, NonRetryableError, Outbox, TenantTombstones } from '@vulnscan/messaging';
import { ScanStatus } from '@vulnscan/scan-data';
import { Dispatcher } from '../dispatch/dispatcher.service';
import { ScanLifecycle } from '../attempts/scan-lifecycle.service';
import { ScanAdmission } from '../admission/scan-admission.service';

@Controller()
export class IntakeController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly admission: ScanAdmission,
    private readonly lifecycle: ScanLifecycle,
    private readonly dispatcher: Dispatcher,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    private readonly tombstones: TenantTombstones,
  ) {}

  /** The gateway's synchronous path: the scan row is committed before the id is answered. */
  @MessagePattern(Commands.CreateScan)
  async createScan(@Payload() message: EnvelopeOf<typeof Commands.CreateScan>): Promise<CommandReplyOf<typeof Commands.CreateScan>> {
    const { scanId, status, deduplicated } = await this.dataSource.transaction(async (manager) => {
      // a request in flight while its tenant was deleted leaves no scan for a re-created id
      await this.tombstones.refuseForDeletedIncarnation(manager, { ...message, tenantId: message.payload.tenantId });
      return this.admission.admit(manager, message.payload);
    });
    if (!deduplicated) this.dispatcher.wake();
    return { scanId, status, deduplicated };
  }

  /** Other services ask by event and hear back through ScanAccepted. */
  @EventPattern(Events.ScanRequested)
  async scanRequested(@Payload() message: EnvelopeOf<typeof Events.ScanRequested>): Promise<void> {
    const tenantId = message.tenantId;
    if (!tenantId) throw new NonRetryableError('scan.requested.v1 without a tenantId: no tenant to scan for');
    const outcome = await this.inbox.runOnce('scan-requested', message, async (manager) => {
      const { scanId, status, image, deduplicated } = await this.admission.admit(manager, { ...message.payload, tenantId });
      await this.outbox.add(manager, {
        type: Events.ScanAccepted,
        tenantId,
        payload: {
          requestId: message.payload.requestId,
          scanId,
          image,
          deduplicated,
          // followers hear no ScanStarted of a scan already running when they join it
          status: status === ScanStatus.Running ? 'running' : 'queued',
        },
      });
      return deduplicated;
    });
    if (outcome.result === false) this.dispatcher.wake();
  }

  @MessagePattern(Commands.CancelScan)
  async cancelScan(@Payload() message: EnvelopeOf<typeof Commands.CancelScan>): Promise<CommandReplyOf<typeof Commands.CancelScan>> {
    const { tenantId, scanId } = message.payload;
    const reply = await this.dataSource.transaction((manager) => this.lifecycle.cancel(manager, tenantId, scanId));
    if (reply.canceled) this.dispatcher.wake();
    return reply;
  }
}
