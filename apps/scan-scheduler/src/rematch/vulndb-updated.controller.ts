import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EnvelopeOf, Events } from '@vulnscan/contracts';
import { Inbox } from '@vulnscan/messaging';
import { SbomReader } from '@vulnscan/sbom-data';
import { ScanAdmission } from '../admission/scan-admission.service';
import { Dispatcher } from '../dispatch/dispatcher.service';

/**
 * A feed sync changed advisories of some packages: the manifests whose SBOM contains one of them
 * are looked up, and scan admission queues the re-matches (see `ScanAdmission.admitRematches`).
 */
@Controller()
export class VulnDbUpdatedController {
  private readonly logger = new Logger(VulnDbUpdatedController.name);

  constructor(
    private readonly sboms: SbomReader,
    private readonly admission: ScanAdmission,
    private readonly inbox: Inbox,
    private readonly dispatcher: Dispatcher,
  ) {}

  @EventPattern(Events.VulnDbUpdated)
  async updated(@Payload() message: EnvelopeOf<typeof Events.VulnDbUpdated>): Promise<void> {
    const digests = await this.sboms.manifestsContaining(message.payload.affected);
    const outcome = await this.inbox.runOnce('vulndb-updated', message, (manager) => this.admission.admitRematches(manager, digests));
    const created = outcome.result ?? 0;
    this.logger.log(
      { vulndbVersion: message.payload.version, packages: message.payload.affected.length, manifests: digests.length, rematches: created },
      'vulnerability data changed',
    );
    if (created > 0) this.dispatcher.wake();
  }
}
