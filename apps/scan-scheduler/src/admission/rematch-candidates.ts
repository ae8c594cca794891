import { EntityManager } from 'typeorm';

/** An image to re-match: its latest completed scan, which used one of the changed manifests. */
export interface RematchCandidate {
  tenantId: string;
  imageId: string;
  image: string;
  registry: string;
  manifestDigest: string;
}

/**
 * The latest completed scan of every image (of any tenant) where that scan's manifest is one of
 * `digests`: an older scan of another manifest does not count, the image has moved on since.
 */
export async function rematchCandidates(manager: EntityManager, digests: readonly string[]): Promise<RematchCandidate[]> {
  if (digests.length === 0) return [];
  return (await manager.query(
    `WITH latest AS (
       SELECT DISTINCT ON (s.image_id) s.image_id, s.tenant_id, s.image, s.registry, s.manifest_digest
       FROM scheduler.scans s
       WHERE s.status = 'completed' AND s.image_id IN (
         SELECT image_id FROM scheduler.scans WHERE status = 'completed' AND manifest_digest = ANY($1::text[])
       )
       ORDER BY s.image_id, s.created_at DESC
     )
     SELECT l.tenant_id AS "tenantId", l.image_id AS "imageId", l.image, l.registry, l.manifest_digest AS "manifestDigest"
     FROM latest l WHERE l.manifest_digest = ANY($1::text[])`,
    [digests],
  )) as RematchCandidate[];
}
