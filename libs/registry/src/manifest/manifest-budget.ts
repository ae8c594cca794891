import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { MAX_MANIFEST_BYTES } from './media-types';

/**
 * How much manifest JSON one pull may hold. An index may list manifests that are indexes
 * themselves, each up to the per-document limit, and all of it is parsed in memory: without a
 * total, a hostile registry decides how much memory a pull takes.
 */
export interface ManifestLimits {
  /** Largest single manifest or index, in bytes (setting MANIFEST_MAX_BYTES). */
  readonly maxBytes: number;
  /** Most manifests one index may list (setting INDEX_MAX_CHILDREN). */
  readonly maxIndexChildren: number;
  /** Manifest bytes one pull reads in all: the index, the child it picks, nested ones (setting MANIFEST_PULL_MAX_BYTES). */
  readonly maxPullBytes: number;
  /** Most manifests one pull reads, counting an index and every descendant (setting MANIFEST_PULL_MAX_COUNT); unlimited when absent. */
  readonly maxPullManifests?: number;
}

/**
 * The settings that carry each limit, named in errors so an operator knows what to raise. Both
 * services that pull manifests (scanner-worker, blob-cache-worker) use these names.
 */
export const ManifestSetting = {
  maxBytes: 'MANIFEST_MAX_BYTES',
  maxIndexChildren: 'INDEX_MAX_CHILDREN',
  maxPullBytes: 'MANIFEST_PULL_MAX_BYTES',
  maxPullManifests: 'MANIFEST_PULL_MAX_COUNT',
} as const;

/** Far above real images: multi-arch indexes list a few dozen manifests, attestations included. */
export const DEFAULT_MANIFEST_LIMITS: ManifestLimits = {
  maxBytes: MAX_MANIFEST_BYTES,
  maxIndexChildren: 256,
  maxPullBytes: 16 * 1024 * 1024,
};

const invalid = (message: string) => new ScanError(ScanErrorCode.ManifestInvalid, message);

/** Refuses an index listing more manifests than `max`, before any of its descriptors is looked at. */
export function refuseIndexFanOut(count: number, max: number, where: string): void {
  if (count > max) throw invalid(`${where} lists ${count} manifests; ${ManifestSetting.maxIndexChildren} is ${max}`);
}

/**
 * What one pull (a resolve, or one manifest request to the cache) has read so far. Shared by
 * concurrent fetches of the same pull: every chunk is charged as it arrives, so reading stops
 * within one chunk of a limit instead of after a whole document.
 */
export class ManifestBudget {
  private bytesRead = 0;
  private manifests = 0;

  constructor(readonly limits: ManifestLimits = DEFAULT_MANIFEST_LIMITS) {}

  /** Manifest bytes charged so far. */
  get bytes(): number {
    return this.bytesRead;
  }

  /** Counts one more manifest of the pull, before it is requested. */
  admit(where: string): void {
    const { maxPullManifests } = this.limits;
    if (maxPullManifests !== undefined && this.manifests >= maxPullManifests) {
      throw invalid(
        `${where}: the pull reads more than ${maxPullManifests} manifests; ${ManifestSetting.maxPullManifests} is ${maxPullManifests}`,
      );
    }
    this.manifests += 1;
  }

  /**
   * Refuses a manifest whose size is known up front (Content-Length, or the size an index's
   * descriptor declares) before a byte of it is read, when it cannot fit. Charges nothing.
   */
  expect(declaredBytes: number, where: string): void {
    this.refuseSize(declaredBytes, this.bytesRead + declaredBytes, where, 'declared');
  }

  /** Charges `chunk` bytes of a manifest that has `soFar` bytes now (the chunk included). */
  charge(chunk: number, soFar: number, where: string): void {
    this.bytesRead += chunk;
    this.refuseSize(soFar, this.bytesRead, where, 'read');
  }

  /** `declared` sizes are known exactly; while reading, only that the limit was crossed. */
  private refuseSize(manifestBytes: number, pullBytes: number, where: string, known: 'declared' | 'read'): void {
    const { maxBytes, maxPullBytes } = this.limits;
    if (manifestBytes > maxBytes) {
      const size = known === 'declared' ? `${manifestBytes} bytes` : `more than ${maxBytes} bytes`;
      throw invalid(`${where} is ${size}; ${ManifestSetting.maxBytes} is ${maxBytes}`);
    }
    if (pullBytes > maxPullBytes) {
      throw invalid(
        `${where} takes the manifests of this pull past ${maxPullBytes} bytes; ${ManifestSetting.maxPullBytes} is ${maxPullBytes}`,
      );
    }
  }
}
