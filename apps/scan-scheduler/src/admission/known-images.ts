import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { NormalizedImage } from './image-references';

/**
 * Records the tenant's images (one row per normalized reference, created on first sight) in one
 * statement, and answers each image's id by its normalized reference.
 */
export async function upsertImages(
  manager: EntityManager,
  tenantId: string,
  images: readonly NormalizedImage[],
): Promise<Map<string, string>> {
  if (images.length === 0) return new Map();
  const rows = (await manager.query(
    `INSERT INTO scheduler.images (id, tenant_id, reference, registry, repository)
     SELECT unnest($1::uuid[]), $2, unnest($3::text[]), unnest($4::text[]), unnest($5::text[])
     ON CONFLICT (tenant_id, reference) DO UPDATE SET reference = EXCLUDED.reference
     RETURNING id, reference`,
    [images.map(() => uuidv7()), tenantId, images.map((i) => i.image), images.map((i) => i.registry), images.map((i) => i.repository)],
  )) as { id: string; reference: string }[];
  return new Map(rows.map((row) => [row.reference, row.id]));
}
