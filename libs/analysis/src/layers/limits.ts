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

const GiB = 1024 ** 3;

export const DEFAULT_LAYER_LIMITS: Readonly<LayerLimits> = Object.freeze({
  maxEntrySize: 1 * GiB,
  maxLayerBytes: 8 * GiB,
  maxEntries: 1_000_000,
  maxSymlinkDepth: 40,
});

/** The defaults with the given overrides; a non-positive or non-numeric override is a programming error. */
export function layerLimits(overrides: Partial<LayerLimits> = {}): LayerLimits {
  const limits: LayerLimits = { ...DEFAULT_LAYER_LIMITS };
  for (const key of Object.keys(DEFAULT_LAYER_LIMITS) as (keyof LayerLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`layer limit ${key} must be a non-negative number, got ${value}`);
    limits[key] = value;
  }
  return limits;
}

/**
 * A layer or an image over one of its limits; `limit` says which (a LayerLimits key, a budget of the
 * analysis pool, or a fixed bound), so a caller can name its own setting for it.
 */
export class LayerLimitError extends ScanError {
  constructor(
    readonly limit: string,
    /** What was too large: `layer 0 (sha256:…): entry "x" of 9 bytes`. */
    readonly subject: string,
    code: ScanErrorCode = ScanErrorCode.LayerTooLarge,
  ) {
    super(code, `${subject} exceeds ${limit}`);
  }
}

/** `limit` names the setting (or the fixed bound) that was hit, so an operator knows what to raise. */
export function limitExceeded(limit: keyof LayerLimits | 'the zstd window limit', layer: string, detail: string): ScanError {
  return new LayerLimitError(limit, `${layer}: ${detail}`);
}

export function layerCorrupt(layer: string, detail: string): ScanError {
  return new ScanError(ScanErrorCode.LayerCorrupt, `${layer}: ${detail}`);
}

export { errorMessage } from '../io';
