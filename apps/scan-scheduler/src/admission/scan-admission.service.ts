import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ScanJobKind, ScanTrigger } from '@vulnscan/contracts';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { SchedulerEnv } from '../env';
import { AdmittedScan, BatchAdmissionRequest, BatchOutcome, ScanAdmissionRequest } from './admission-requests';
import { normalizeBatch, normalizeImage } from './image-references';
import { followScan, lockImageIntake, lockTenantIntakes, ScanInProgress, scansInProgress } from './in-progress';
import { upsertImages } from './known-images';
import { rematchCandidates } from './rematch-candidates';
import { NEW_SCAN_SQL, newScanParams, SCAN_ROW_DEFAULTS, ScanRowDraft } from './scan-rows';

/**
 * Scan admission, the one way a scan is created: the reference is normalized, and under the
 * intake advisory locks the in-progress rule answers an image's queued or running scan instead of
 * starting another (unless `forceRescan`), so concurrent requests on any number of gateway and
 * scheduler replicas never both start one. Every method runs in the caller's transaction.
 * Batches and re-matches are set-based: a 10,000-image batch is a handful of statements.
 */
@Injectable()
export class ScanAdmission {
  constructor(@Inject(SERVICE_ENV) private readonly env: SchedulerEnv) {}

  /** One scan (API CreateScan, ScanRequested from other services); an invalid reference is refused. */
  async admit(manager: EntityManager, request: ScanAdmissionRequest): Promise<AdmittedScan> {
    const normalized = normalizeImage(request.image);
    await lockImageIntake(manager, request.tenantId, normalized.image);
    const imageIds = await upsertImages(manager, request.tenantId, [normalized]);
    const imageId = imageIds.get(normalized.image)!;
    if (!request.forceRescan) {
      const inProgress = (await scansInProgress(manager, [imageId])).get(imageId);
      // A requester by event (request id) follows the scan it joins from now on; its events say so.
      const status = inProgress && (request.requestId ? await followScan(manager, inProgress.id) : inProgress.status);
      if (inProgress && status) return { scanId: inProgress.id, status, image: inProgress.image, deduplicated: true };
    }
    const [scan] = await this.insert(manager, [
      {
        ...SCAN_ROW_DEFAULTS,
        tenantId: request.tenantId,
        imageId,
        image: normalized.image,
        registry: normalized.registry,
        trigger: request.trigger,
        forceRescan: request.forceRescan ?? false,
        idempotencyKey: request.idempotencyKey ?? null,
        requestedBy: request.requestedBy ?? null,
        requestId: request.requestId ?? null,
        requestedPlatform: request.platform ?? null,
        viaCache: request.viaCache ?? false,
      },
    ]);
    return { scanId: scan.id, status: scan.status, image: scan.image, deduplicated: false };
  }

  /**
   * A bulk scan or a schedule run: one batch row and its scans. The batch takes its tenant's
   * intake lock exclusively, so it waits for single intakes in progress and they for it.
   */
  async admitBatch(manager: EntityManager, request: BatchAdmissionRequest): Promise<BatchOutcome> {
    const { images, skipped } = normalizeBatch(request.references, {
      skip: request.skip,
      invalid: request.invalid,
      maxImages: this.env.BATCH_MAX_IMAGES,
    });
    const batchId = uuidv7();
    await lockTenantIntakes(manager, [request.tenantId]);
    const imageIds = await upsertImages(manager, request.tenantId, images);
    const inProgress = request.forceRescan ? new Map<string, ScanInProgress>() : await scansInProgress(manager, [...imageIds.values()]);
    const fresh = images.filter((image) => !inProgress.has(imageIds.get(image.image)!));
    const deduplicated = images.length - fresh.length;
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
        deduplicated,
      ],
    );
    await this.insert(
      manager,
      fresh.map((image) => ({
        ...SCAN_ROW_DEFAULTS,
        tenantId: request.tenantId,
        imageId: imageIds.get(image.image)!,
        image: image.image,
        registry: image.registry,
        trigger: request.trigger,
        forceRescan: request.forceRescan ?? false,
        requestedBy: request.requestedBy ?? null,
        batchId,
      })),
    );
    return { batchId, count: fresh.length, deduplicated, skipped };
  }

  /**
   * A feed update changed the advisories of packages in these manifests: every image whose latest
   * completed scan used one of them gets a re-match (trigger `vulndb_update`) for the tenant that
   * scanned it, bound to that manifest digest (the worker reads the stored SBOM and never calls the
   * registry), unless a scan of it is already queued or running. Like a batch, it takes the intake
   * locks of those tenants exclusively.
   * Returns how many were queued.
   */
  async admitRematches(manager: EntityManager, manifestDigests: readonly string[]): Promise<number> {
    const candidates = await rematchCandidates(manager, manifestDigests);
    if (candidates.length === 0) return 0;
    await lockTenantIntakes(
      manager,
      candidates.map((candidate) => candidate.tenantId),
    );
    const inProgress = await scansInProgress(
      manager,
      candidates.map((candidate) => candidate.imageId),
    );
    const fresh = candidates.filter((candidate) => !inProgress.has(candidate.imageId));
    await this.insert(
      manager,
      fresh.map((candidate) => ({
        ...SCAN_ROW_DEFAULTS,
        ...candidate,
        kind: ScanJobKind.Rematch,
        trigger: ScanTrigger.VulnDbUpdate,
      })),
    );
    return fresh.length;
  }

  private async insert(manager: EntityManager, drafts: ScanRowDraft[]): Promise<{ id: string; status: string; image: string }[]> {
    if (drafts.length === 0) return [];
    return (await manager.query(NEW_SCAN_SQL, newScanParams(drafts, this.env.SCAN_TIMEOUT_PER_IMAGE))) as {
      id: string;
      status: string;
      image: string;
    }[];
  }
}
