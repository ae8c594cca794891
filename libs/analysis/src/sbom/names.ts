/**
 * Names that appear in exported documents, which consumers (dependency-track, policy engines,
 * our own API clients) key on. Do not rename them: a rename silently breaks every consumer.
 */
export const SBOM_PROPERTY = {
  layerDigest: 'vulnscan:layer:digest',
  packagePath: 'vulnscan:package:path',
  sourceName: 'vulnscan:package:source-name',
  sourceVersion: 'vulnscan:package:source-version',
  sourceRpm: 'vulnscan:package:source-rpm',
  imageReference: 'vulnscan:image:reference',
  imageMediaType: 'vulnscan:image:media-type',
  imagePlatform: 'vulnscan:image:platform',
  imageLayer: 'vulnscan:image:layer',
  osFamily: 'vulnscan:os:family',
  osCodename: 'vulnscan:os:codename',
} as const;

/** Who we say produced a document; the analyzer's own name and version are kept in the SBOM. */
export const SBOM_VENDOR = 'vulnscan';
