import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { Events, MessageEnvelope, ScanJobKind, ScanTrigger, VulnDbUpdatedPayload } from '@vulnscan/contracts';
import { Inbox } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/platform';
import { blocksNewScan } from '@vulnscan/scheduler-entities';
import { SbomReader } from '@vulnscan/sbom-data';
import { Dispatcher } from '../dispatch/dispatcher.service';
import { SchedulerEnv } from '../env';

/**
 * A feed sync changed advisories of some packages: every image whose latest completed scan used
 * an SBOM containing one of them gets a re-match (trigger `vulndb_update`) for the tenant that
 * scanned it — bound to that manifest digest, so the worker reads the stored SBOM and never calls
 * the registry. Images with a scan already queued or running are left to it.
 */
@Controller()
export class VulnDbUpdatedController {
  private readonly logger = new Logger(VulnDbUpdatedController.name);

  constructor(
    @Inject(SERVICE_ENV) private readonly env: SchedulerEnv,
    private readonly sboms: SbomReader,
    private readonly inbox: Inbox,
    private readonly dispatcher: Dispatcher,
  ) {}

  @EventPattern(Events.VulnDbUpdated)
  async updated(@Payload() message: MessageEnvelope<VulnDbUpdatedPayload>): Promise<void> {
    const digests = await this.sboms.manifestsContaining(message.payload.affected);
    const outcome = await this.inbox.runOnce('vulndb-updated', message, (manager) => this.requestRematches(manager, digests));
    const created = outcome.result ?? 0;
    this.logger.log(
      { vulndbVersion: message.payload.version, packages: message.payload.affected.length, manifests: digests.length, rematches: created },
      'vulnerability data changed',
    );
    if (created > 0) this.dispatcher.wake();
  }

  private async requestRematches(manager: EntityManager, digests: string[]): Promise<number> {
    if (digests.length === 0) return 0;
    // The latest completed scan of every image, where it used one of these manifests and nothing is in progress.
    const rows = (await manager.query(
      `WITH latest AS (
         SELECT DISTINCT ON (s.image_id) s.image_id, s.tenant_id, s.image, s.registry, s.manifest_digest
         FROM scheduler.scans s
         WHERE s.status = 'completed' AND s.image_id IN (
           SELECT image_id FROM scheduler.scans WHERE status = 'completed' AND manifest_digest = ANY($1::text[])
         )
         ORDER BY s.image_id, s.created_at DESC
       )
       SELECT l.* FROM latest l
       WHERE l.manifest_digest = ANY($1::text[])
         AND NOT EXISTS (SELECT 1 FROM scheduler.scans a WHERE a.image_id = l.image_id AND a.status IN ('queued', 'running') AND ${blocksNewScan('a')})`,
      [digests],
    )) as { image_id: string; tenant_id: string; image: string; registry: string; manifest_digest: string }[];
    if (rows.length === 0) return 0;
    const now = Date.now();
    await manager.query(
      `INSERT INTO scheduler.scans (id, tenant_id, image_id, image, registry, status, kind, trigger, progress, force_rescan,
         attempt, manifest_digest, created_at, next_attempt_at, timeout_at, updated_at)
       SELECT unnest($1::uuid[]), unnest($2::text[]), unnest($3::uuid[]), unnest($4::text[]), unnest($5::text[]), 'queued', $6, $7, 0, false,
         0, unnest($8::text[]), now(), now(), $9::timestamptz, now()`,
      [
        rows.map(() => uuidv7()),
        rows.map((row) => row.tenant_id),
        rows.map((row) => row.image_id),
        rows.map((row) => row.image),
        rows.map((row) => row.registry),
        ScanJobKind.Rematch,
        ScanTrigger.VulnDbUpdate,
        rows.map((row) => row.manifest_digest),
        new Date(now + this.env.SCAN_TIMEOUT_PER_IMAGE * 1000),
      ],
    );
    return rows.length;
  }
}
