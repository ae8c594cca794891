import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';

/** Most scans one ScansPurged event names: the largest RETENTION_BATCH_SIZE the scheduler accepts. */
export const MAX_PURGED_SCANS_PER_EVENT = 100000;

/**
 * The scheduler deleted these scans of the envelope's tenant (retention). Owners of per-scan data
 * elsewhere (the worker's reports and findings) delete theirs; ids they never had are ignored.
 */
export class ScansPurgedPayload {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PURGED_SCANS_PER_EVENT)
  @IsUUID(undefined, { each: true })
  scanIds!: string[];
}
