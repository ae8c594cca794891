import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { CommandRejectedError } from '@vulnscan/messaging';
import { ScanJobKind, ScanRequestFields } from '@vulnscan/contracts';
import { SERVICE_ENV } from '@vulnscan/platform';
import { formatReference, InvalidReferenceError, parseImageReference } from '@vulnscan/registry';
import { ScanStatus } from '@vulnscan/scan-data';
import { blocksNewScan, ScanEntity, tenantIntakeLock } from '@vulnscan/scheduler-entities';
import { SchedulerEnv } from '../env';

export interface ScanIntakeRequest extends ScanRequestFields {
  tenantId: string;
  requestedBy?: string;
  requestId?: string;
  viaCache?: boolean;
}

export interface ScanIntakeResult {
  scan: ScanEntity;
  deduplicated: boolean;
}

/**
 * The in-progress rule. Under a transaction-scoped advisory lock on (tenant, image), either the
 * queued or running scan of that image is answered, or a new scan row is inserted — so two
 * concurrent requests, on any number of gateway and scheduler replicas, never both start one.
 * The tenant's intake lock is taken shared: a batch (which takes it exclusively) waits for
 * single intakes in progress, and they for it.
 */
@Injectable()
export class ScanIntake {
  constructor(@Inject(SERVICE_ENV) private readonly env: SchedulerEnv) {}

  async admit(manager: EntityManager, request: ScanIntakeRequest): Promise<ScanIntakeResult> {
    let reference;
    try {
      reference = parseImageReference(request.image);
    } catch (error) {
      const reason = error instanceof InvalidReferenceError ? error.reason : String(error);
      throw new CommandRejectedError('invalid_reference', `image: ${reason}`, 400);
    }
    const image = formatReference(reference);
    await manager.query('SELECT pg_advisory_xact_lock_shared(hashtext($1)), pg_advisory_xact_lock(hashtext($2))', [
      tenantIntakeLock(request.tenantId),
      `scan-intake|${request.tenantId}|${image}`,
    ]);
    const [{ id: imageId }] = (await manager.query(
      `INSERT INTO scheduler.images (id, tenant_id, reference, registry, repository)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, reference) DO UPDATE SET reference = EXCLUDED.reference
       RETURNING id`,
      [uuidv7(), request.tenantId, image, reference.registry, reference.repository],
    )) as { id: string }[];

    const scans = manager.getRepository(ScanEntity);
    if (!request.forceRescan) {
      const inProgress = await scans
        .createQueryBuilder('s')
        .where(`s.image_id = :imageId AND s.status IN (:...active) AND ${blocksNewScan('s')}`, {
          imageId,
          active: [ScanStatus.Queued, ScanStatus.Running],
        })
        .orderBy('s.created_at', 'DESC')
        .limit(1)
        .getOne();
      if (inProgress) return { scan: inProgress, deduplicated: true };
    }

    const now = new Date();
    const scan = scans.create({
      id: uuidv7(),
      tenantId: request.tenantId,
      imageId,
      image,
      registry: reference.registry,
      status: ScanStatus.Queued,
      kind: ScanJobKind.Scan,
      trigger: request.trigger,
      progress: 0,
      forceRescan: request.forceRescan ?? false,
      idempotencyKey: request.idempotencyKey ?? null,
      requestedBy: request.requestedBy ?? null,
      requestId: request.requestId ?? null,
      requestedPlatform: request.platform ?? null,
      viaCache: request.viaCache ?? false,
      attempt: 0,
      workerId: null,
      createdAt: now,
      dispatchedAt: null,
      nextAttemptAt: now,
      attemptDeadline: null,
      timeoutAt: new Date(now.getTime() + this.env.SCAN_TIMEOUT_PER_IMAGE * 1000),
      updatedAt: now,
    });
    await scans.insert(scan);
    return { scan, deduplicated: false };
  }
}
