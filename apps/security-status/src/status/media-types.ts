import { MediaType } from '@vulnscan/registry';
import { UnsupportedReason } from '@vulnscan/status-data';

const INDEXES = new Set<string>([MediaType.OciIndex, MediaType.DockerManifestList]);
const IMAGE_MANIFESTS = new Set<string>([MediaType.OciManifest, MediaType.DockerManifest]);
const IMAGE_CONFIGS = new Set<string>([MediaType.DockerConfig, MediaType.OciConfig]);

/**
 * Why a cached manifest cannot be scanned as it is, if it cannot: an index is scanned through
 * its platforms' manifests (each cached on its own), and an OCI artifact (a Helm chart, a
 * signature) is not a container image.
 */
export function unsupportedReason(mediaType: string, configMediaType?: string): UnsupportedReason | undefined {
  if (INDEXES.has(mediaType)) return UnsupportedReason.ManifestList;
  if (!IMAGE_MANIFESTS.has(mediaType)) return UnsupportedReason.NotAContainerImage;
  if (configMediaType !== undefined && !IMAGE_CONFIGS.has(configMediaType)) return UnsupportedReason.NotAContainerImage;
  return undefined;
}
