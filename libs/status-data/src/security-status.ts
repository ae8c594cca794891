/** Quay's model of a manifest's security status, for images that pass through the blob cache. */
export enum SecurityStatus {
  Queued = 'queued',
  InProgress = 'in_progress',
  Completed = 'completed',
  Failed = 'failed',
  Unsupported = 'unsupported',
  LayerTooLarge = 'layer_too_large',
  RetriesExhausted = 'retries_exhausted',
}

/** Why a manifest is `unsupported`. */
export enum UnsupportedReason {
  /** Not every blob is in the cache yet: ManifestComplete brings a new scan. */
  LayersUnavailable = 'layers_unavailable',
  ManifestList = 'manifest_list',
  NotAContainerImage = 'not_a_container_image',
}
