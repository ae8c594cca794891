import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EntityManager } from 'typeorm';
import { EnvelopeOf, Events } from '@vulnscan/contracts';
import { Inbox, TenantTombstones } from '@vulnscan/messaging';

const count = async (manager: EntityManager, sql: string, params: unknown[]): Promise<number> =>
  ((await manager.query(sql, params)) as [unknown, number])[1];

/**
 * TenantDeleted: the tenant's own upstreams (with their sealed credentials) go, and so does what
 * was cached for it: its manifests (their blob lists cascade), its tags, and the blob proofs of
 * its upstreams' sources, so nothing it pulled can be read through that source again. Stored
 * blobs stay: they are shared by digest and leave by least-recently-used eviction. One
 * transaction, with the tombstone that drops its late messages.
 */
@Controller()
export class TenantDeletedController {
  private readonly logger = new Logger(TenantDeletedController.name);

  constructor(
    private readonly inbox: Inbox,
    private readonly tombstones: TenantTombstones,
  ) {}

  @EventPattern(Events.TenantDeleted)
  async tenantDeleted(@Payload() message: EnvelopeOf<typeof Events.TenantDeleted>): Promise<void> {
    const { tenantId, incarnation } = message.payload;
    const outcome = await this.inbox.runOnce('tenant-deleted', message, async (manager) => {
      await this.tombstones.record(manager, message.payload);
      const owned = (
        (await manager.query(`SELECT id::text AS id FROM cache.upstreams WHERE source = 'api' AND tenant_id = $1`, [tenantId])) as {
          id: string;
        }[]
      ).map((row) => row.id);
      // A tenant's upstream scopes its content by the upstream's id; a configured one serving the tenant by `tenant:<id>`.
      const scopes = [...owned, `tenant:${tenantId}`];
      const manifests = await count(manager, `DELETE FROM cache.cached_manifests WHERE tenant_id = $1 OR scope = ANY($2::text[])`, [
        tenantId,
        scopes,
      ]);
      const tags = await count(manager, `DELETE FROM cache.cached_tags WHERE scope = ANY($1::text[])`, [scopes]);
      const blobProofs = await count(manager, `DELETE FROM cache.cached_blobs WHERE source = ANY($1::text[])`, [owned]);
      const upstreams = await count(manager, `DELETE FROM cache.upstreams WHERE id = ANY($1::uuid[])`, [owned]);
      return { upstreams, manifests, tags, blobProofs };
    });
    if (outcome.result) this.logger.log({ tenantId, incarnation, ...outcome.result }, 'deleted tenant removed');
  }
}
