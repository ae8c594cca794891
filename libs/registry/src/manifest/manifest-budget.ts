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
 * What one pull (a resolve, or one manifest request to the cache) holds. Shared by concurrent
 * fetches of the same pull: a manifest whose size is known up front (its descriptor, its
 * Content-Length) holds that much from then on, so siblings fetched at the same time cannot
 * overcommit, and every chunk is charged as it arrives, so reading stops within one chunk of a
 * limit instead of after a whole document.
 */
export class ManifestBudget {
  private held = 0;
  private manifests = 0;

  constructor(readonly limits: ManifestLimits = DEFAULT_MANIFEST_LIMITS) {}

  /** Manifest bytes the pull holds: those read, and those expected of manifests still being read. */
  get bytes(): number {
    return this.held;
  }

  /** Starts one more manifest of the pull (counted against MANIFEST_PULL_MAX_COUNT), before it is requested. */
  open(where: string, declaredSize?: number): ManifestReading {
    const { maxPullManifests } = this.limits;
    if (maxPullManifests !== undefined && this.manifests >= maxPullManifests) {
      throw invalid(
        `${where}: the pull reads more than ${maxPullManifests} manifests; ${ManifestSetting.maxPullManifests} is ${maxPullManifests}`,
      );
    }
    this.manifests += 1;
    const reading = new ManifestReading(this, where);
    if (declaredSize !== undefined) reading.expect(declaredSize);
    return reading;
  }

  /**
   * Moves what one manifest holds by `delta`, refusing (and holding nothing more) when the manifest
   * would be over MANIFEST_MAX_BYTES or the pull over MANIFEST_PULL_MAX_BYTES. `exact` sizes are
   * known (declared); while reading, only that the limit was crossed.
   */
  hold(delta: number, manifestBytes: number, where: string, exact: boolean): void {
    const { maxBytes, maxPullBytes } = this.limits;
    if (manifestBytes > maxBytes) {
      const size = exact ? `${manifestBytes} bytes` : `more than ${maxBytes} bytes`;
      throw invalid(`${where} is ${size}; ${ManifestSetting.maxBytes} is ${maxBytes}`);
    }
    if (delta > 0 && this.held + delta > maxPullBytes) {
      throw invalid(
        `${where} takes the manifests of this pull past ${maxPullBytes} bytes; ${ManifestSetting.maxPullBytes} is ${maxPullBytes}`,
      );
    }
    this.held += delta;
  }
}

/** One manifest being read as part of a pull: holds the larger of what it declared and what arrived. */
export class ManifestReading {
  private expected = 0;
  private read = 0;

  constructor(
    private readonly budget: ManifestBudget,
    readonly where: string,
  ) {}

  /** A size known before reading (descriptor, Content-Length): refused at once when it cannot fit, else held. */
  expect(bytes: number): void {
    this.budget.hold(Math.max(0, bytes - this.holding()), bytes, this.where, true);
    this.expected = Math.max(this.expected, bytes);
  }

  /** Charges a chunk as it arrives. */
  add(chunk: number): void {
    const before = this.holding();
    this.budget.hold(Math.max(0, this.read + chunk - before), this.read + chunk, this.where, false);
    this.read += chunk;
  }

  /** The manifest arrived whole: what was expected beyond its real size is given back. */
  done(): void {
    this.budget.hold(this.read - this.holding(), this.read, this.where, true);
    this.expected = this.read;
  }

  private holding(): number {
    return Math.max(this.expected, this.read);
  }
}
