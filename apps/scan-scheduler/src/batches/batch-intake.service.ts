import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ScanJobKind, ScanTrigger } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/platform';
import { formatReference, InvalidReferenceError, parseImageReference } from '@vulnscan/registry';
import { BatchSource } from '@vulnscan/scan-data';
import { blocksNewScan, tenantIntakeLock } from '@vulnscan/scheduler-entities';
import { SchedulerEnv } from '../env';

export interface BatchRequest {
  tenantId: string;
  source: BatchSource;
  trigger: ScanTrigger;
  references: string[];
  scheduleId?: string;
  requestedBy?: string;
  forceRescan?: boolean;
  /** References matching it are left out and counted as skipped (schedules: SCAN_SKIP_PATTERN). */
  skip?: RegExp;
  /** A reference that does not parse: refused (a request the user typed) or skipped (a registry's list). */
  invalid: 'reject' | 'skip';
}

export interface BatchOutcome {
  batchId: string;
  /** Scans created in the batch. */
  count: number;
  /** Images left out because a scan of them was already queued or running. */
  deduplicated: number;
  /** References left out by the skip pattern or because they do not parse. */
  skipped: number;
}

interface Normalized {
  image: string;
  registry: string;
  repository: string;
}

/**
 * Turns a list of references into one batch of queued scans in one transaction, set-based so a
 * 10,000-image batch is a handful of statements. The in-progress rule holds as for single scans:
 * the batch takes its tenant's intake lock exclusively (single intakes take it shared), and
 * images with a queued or running scan are left out unless `forceRescan`.
 */
@Injectable()
export class BatchIntake {
  constructor(@Inject(SERVICE_ENV) private readonly env: SchedulerEnv) {}

  async create(manager: EntityManager, request: BatchRequest): Promise<BatchOutcome> {
    const { images, skipped } = this.normalize(request);
    const batchId = uuidv7();
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [tenantIntakeLock(request.tenantId)]);
    const upserted = (await manager.query(
      `INSERT INTO scheduler.images (id, tenant_id, reference, registry, repository)
       SELECT unnest($1::uuid[]), $2, unnest($3::text[]), unnest($4::text[]), unnest($5::text[])
       ON CONFLICT (tenant_id, reference) DO UPDATE SET reference = EXCLUDED.reference
       RETURNING id, reference`,
      [
        images.map(() => uuidv7()),
        request.tenantId,
        images.map((i) => i.image),
        images.map((i) => i.registry),
        images.map((i) => i.repository),
      ],
    )) as { id: string; reference: string }[];
    const imageIds = new Map(upserted.map((row) => [row.reference, row.id]));

    let busy = new Set<string>();
    if (!request.forceRescan && upserted.length > 0) {
      const active = (await manager.query(
        `SELECT DISTINCT s.image_id FROM scheduler.scans s
         WHERE s.image_id = ANY($1::uuid[]) AND s.status IN ('queued', 'running') AND ${blocksNewScan('s')}`,
        [upserted.map((row) => row.id)],
      )) as { image_id: string }[];
      busy = new Set(active.map((row) => row.image_id));
    }
    const fresh = images.filter((image) => !busy.has(imageIds.get(image.image)!));
    await manager.query(
      `INSERT INTO scheduler.scan_batches (id, tenant_id, source, schedule_id, requested_by, count, skipped, deduplicated, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
      [
        batchId,
        request.tenantId,
        request.source,
        request.scheduleId ?? null,
        request.requestedBy ?? null,
        fresh.length,
        skipped,
        images.length - fresh.length,
      ],
    );
    if (fresh.length > 0) {
      await manager.query(
        `INSERT INTO scheduler.scans (id, tenant_id, image_id, image, registry, status, kind, trigger, progress, force_rescan,
           requested_by, attempt, batch_id, created_at, next_attempt_at, timeout_at, updated_at)
         SELECT unnest($1::uuid[]), $2, unnest($3::uuid[]), unnest($4::text[]), unnest($5::text[]), 'queued', $6, $7, 0, $8,
           $9, 0, $10, now(), now(), now() + make_interval(secs => $11), now()`,
        [
          fresh.map(() => uuidv7()),
          request.tenantId,
          fresh.map((image) => imageIds.get(image.image)),
          fresh.map((image) => image.image),
          fresh.map((image) => image.registry),
          ScanJobKind.Scan,
          request.trigger,
          request.forceRescan ?? false,
          request.requestedBy ?? null,
          batchId,
          this.env.SCAN_TIMEOUT_PER_IMAGE,
        ],
      );
    }
    return { batchId, count: fresh.length, deduplicated: images.length - fresh.length, skipped };
  }

  private normalize(request: BatchRequest): { images: Normalized[]; skipped: number } {
    const byImage = new Map<string, Normalized>();
    const invalid: string[] = [];
    let skipped = 0;
    for (const input of request.references) {
      let normalized: Normalized;
      try {
        const reference = parseImageReference(input);
        normalized = { image: formatReference(reference), registry: reference.registry, repository: reference.repository };
      } catch (error) {
        if (!(error instanceof InvalidReferenceError)) throw error;
        invalid.push(`${JSON.stringify(input)}: ${error.reason}`);
        continue;
      }
      if (request.skip?.test(normalized.image)) skipped += 1;
      else byImage.set(normalized.image, normalized);
    }
    if (invalid.length > 0 && request.invalid === 'reject') {
      const shown = invalid.slice(0, 5).join('; ');
      throw new CommandRejectedError(
        'invalid_reference',
        `${invalid.length} image reference(s) are not valid: ${shown}${invalid.length > 5 ? '; ...' : ''}`,
        400,
      );
    }
    if (byImage.size > this.env.BATCH_MAX_IMAGES) {
      throw new CommandRejectedError(
        'too_many_images',
        `the batch would scan ${byImage.size} images; at most ${this.env.BATCH_MAX_IMAGES} (BATCH_MAX_IMAGES)`,
        422,
      );
    }
    return { images: [...byImage.values()], skipped: skipped + invalid.length };
  }
}
