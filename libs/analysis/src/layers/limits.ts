import { ScanError, ScanErrorCode } from '@vulnscan/contracts';

/** Bounds on what one layer may make us do; layers are untrusted input (decompression bombs, huge entries). */
export interface LayerLimits {
  /** Largest size one archive entry may declare, in bytes. */
  maxEntrySize: number;
  /** Largest uncompressed size of one layer, in bytes: what bounds a decompression bomb. */
  maxLayerBytes: number;
  /** Most entries one layer may hold (directories, links and whiteouts count). */
  maxEntries: number;
  /** Most symlinks one path resolution may follow; Linux stops at 40 (MAXSYMLINKS). */
  maxSymlinkDepth: number;
}

/**
 * Bounds on one whole image: per-layer limits alone let an image of many layers hold many times
 * what one layer may, and the final view (which keeps every path and link target in memory) and
 * symlink resolution grow with the image, not with its largest layer.
 */
export interface ImageBudgets {
  /** Most entries across all layers, the directories their paths only imply included. */
  maxImageEntries: number;
  /** Most bytes of entry paths and link targets across all layers, as the archives store them. */
  maxImagePathBytes: number;
  /** Most symlink resolution steps (path components walked, links followed) across the whole image. */
  maxSymlinkSteps: number;
}

/** Everything `analyzeImage` is bounded by. */
export type AnalysisLimits = LayerLimits & ImageBudgets;

/** Budgets only a pool of analysis threads can enforce (see AnalysisPool): time and heap. */
export interface ThreadBudgets {
  /** Wall-clock time one analyzer may spend on one file once all of its bytes have arrived. */
  fileTimeoutMs: number;
  /** Wall-clock time one layer may take from its first byte to its last entry, and the final view after the last layer. */
  layerTimeoutMs: number;
  /** V8 heap of one analysis thread, in MiB; an image that needs more fails instead of exhausting the worker. */
  maxHeapMb: number;
}

/** Which limit was hit: a library option, a thread budget, or a fixed bound that no setting raises. */
export type LimitName = keyof AnalysisLimits | keyof ThreadBudgets | 'the zstd window limit';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export const DEFAULT_LAYER_LIMITS: Readonly<LayerLimits> = Object.freeze({
  maxEntrySize: 1 * GiB,
  maxLayerBytes: 8 * GiB,
  maxEntries: 1_000_000,
  maxSymlinkDepth: 40,
});

export const DEFAULT_IMAGE_BUDGETS: Readonly<ImageBudgets> = Object.freeze({
  maxImageEntries: 2_000_000,
  maxImagePathBytes: 64 * MiB,
  maxSymlinkSteps: 1_000_000,
});

export const DEFAULT_ANALYSIS_LIMITS: Readonly<AnalysisLimits> = Object.freeze({ ...DEFAULT_LAYER_LIMITS, ...DEFAULT_IMAGE_BUDGETS });

/** Limits no single layer is to blame for: the image's budgets and the analysis threads'. */
const IMAGE_WIDE: ReadonlySet<LimitName> = new Set<LimitName>([
  ...(Object.keys(DEFAULT_IMAGE_BUDGETS) as (keyof ImageBudgets)[]),
  'fileTimeoutMs',
  'layerTimeoutMs',
  'maxHeapMb',
]);

/** The defaults with the given overrides; a negative or non-numeric override is a programming error. */
export function analysisLimits(overrides: Partial<AnalysisLimits> = {}): AnalysisLimits {
  const limits: AnalysisLimits = { ...DEFAULT_ANALYSIS_LIMITS };
  for (const key of Object.keys(DEFAULT_ANALYSIS_LIMITS) as (keyof AnalysisLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`analysis limit ${key} must be a non-negative number, got ${value}`);
    limits[key] = value;
  }
  return limits;
}

/** The per-layer limits with the given overrides (the image budgets left at their defaults). */
export function layerLimits(overrides: Partial<LayerLimits> = {}): AnalysisLimits {
  return analysisLimits(overrides);
}

/**
 * An image over one of its limits; `limit` says which, so a caller can name its own setting for
 * it. A layer's own limits give `layer_too_large`; the image-wide budgets and the analysis threads'
 * time and heap give `analysis_limit_exceeded`, since no single layer is to blame.
 */
export class LayerLimitError extends ScanError {
  constructor(
    readonly limit: LimitName,
    /** What was too large: `layer 0 (sha256:…): entry "x" of 9 bytes`. */
    readonly subject: string,
  ) {
    super(IMAGE_WIDE.has(limit) ? ScanErrorCode.AnalysisLimitExceeded : ScanErrorCode.LayerTooLarge, `${subject} exceeds ${limit}`);
  }
}

/** `limit` names the setting (or the fixed bound) that was hit, so an operator knows what to raise. */
export function limitExceeded(limit: LimitName, layer: string, detail: string): ScanError {
  return new LayerLimitError(limit, `${layer}: ${detail}`);
}

export function layerCorrupt(layer: string, detail: string): ScanError {
  return new ScanError(ScanErrorCode.LayerCorrupt, `${layer}: ${detail}`);
}

export { errorMessage } from '../io';
