import { IsInt, Max, Min } from 'class-validator';
import { BaseEnv } from './base-env';
import { ToInt } from './transforms';

/**
 * Settings of a service that reads manifests from registries it does not trust (the scanner-worker
 * and the blob cache): one meaning and one default for both, so an operator sets them once.
 */
export class ManifestBudgetEnv extends BaseEnv {
  /** Largest manifest or index, in bytes; a larger one is refused (manifest_invalid) before it is read whole. */
  @ToInt()
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 ** 2)
  MANIFEST_MAX_BYTES = 4 * 1024 ** 2;

  /** Most manifests one index may list; an index listing more is refused. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100_000)
  INDEX_MAX_CHILDREN = 256;

  /**
   * Manifest bytes one pull reads in all: the worker's resolve (an index and the child it picks), or
   * one manifest request to the cache (the manifest and every descendant it stores with it).
   */
  @ToInt()
  @IsInt()
  @Min(1024)
  @Max(1024 ** 3)
  MANIFEST_PULL_MAX_BYTES = 16 * 1024 ** 2;
}
