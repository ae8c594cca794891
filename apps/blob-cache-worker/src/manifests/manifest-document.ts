import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { MediaType, parseDescriptor, parseJsonObject, refuseIndexFanOut } from '@vulnscan/registry';

/** A content descriptor a manifest names: a blob (config, layer) or, in an index, a child manifest. */
export interface ContentRef {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

/** What the cache needs to know about a manifest: its type, the blobs it needs, its child manifests. */
export interface ManifestDocument {
  readonly kind: 'index' | 'image';
  readonly mediaType: string;
  /** For image manifests: tells a container image from other artifacts. */
  readonly configMediaType?: string;
  /** Config and layers (and an artifact manifest's blobs), each digest once. Empty for an index. */
  readonly blobs: readonly ContentRef[];
  /** An index's manifests. Empty for an image manifest. */
  readonly children: readonly ContentRef[];
}

const OCI_ARTIFACT_MANIFEST = 'application/vnd.oci.artifact.manifest.v1+json';
const INDEX_TYPES = new Set<string>([MediaType.OciIndex, MediaType.DockerManifestList]);
const IMAGE_TYPES = new Set<string>([MediaType.OciManifest, MediaType.DockerManifest, OCI_ARTIFACT_MANIFEST]);
/** Far above real images (Docker allows 127 layers). */
const MAX_BLOBS = 1024;

/**
 * Reads a manifest as an upstream served it. Unlike the scanner's parser this accepts any OCI
 * artifact (a cache must pass signatures, SBOMs and charts through), but it still refuses what it
 * could not cache correctly: schema 1, unknown media types, malformed descriptors, and an index
 * listing more than `maxChildren` manifests (INDEX_MAX_CHILDREN), counted before any is parsed.
 */
export function parseManifestDocument(
  bytes: Buffer,
  contentType: string | undefined,
  where: string,
  maxChildren: number,
): ManifestDocument {
  const json = parseJsonObject(bytes, where);
  if (json['schemaVersion'] === 1) throw unsupported(where, 'Docker schema 1 manifests are not supported');
  const mediaType = mediaTypeOf(json, contentType);
  if (INDEX_TYPES.has(mediaType)) {
    const manifests = json['manifests'];
    if (Array.isArray(manifests)) refuseIndexFanOut(manifests.length, maxChildren, where);
    const children = descriptors(manifests, `${where}: manifests`, maxChildren);
    return { kind: 'index', mediaType, blobs: [], children };
  }
  if (!IMAGE_TYPES.has(mediaType)) throw unsupported(where, `media type "${mediaType || 'none'}" is not a manifest or index`);
  const blobs: ContentRef[] = [];
  let configMediaType: string | undefined;
  if (mediaType !== OCI_ARTIFACT_MANIFEST) {
    const config = parseDescriptor(json['config'], `${where}: config`);
    configMediaType = config.mediaType;
    blobs.push(config, ...descriptors(json['layers'], `${where}: layers`, MAX_BLOBS));
  }
  if (json['blobs'] !== undefined || mediaType === OCI_ARTIFACT_MANIFEST) {
    blobs.push(...descriptors(json['blobs'] ?? [], `${where}: blobs`, MAX_BLOBS));
  }
  const unique = [...new Map(blobs.map((blob) => [blob.digest, blob])).values()];
  return { kind: 'image', mediaType, ...(configMediaType ? { configMediaType } : {}), blobs: unique, children: [] };
}

/** The `mediaType` field wins (the digest covers the body, not headers); then Content-Type; then the shape. */
function mediaTypeOf(json: Record<string, unknown>, contentType: string | undefined): string {
  if (typeof json['mediaType'] === 'string' && json['mediaType']) return json['mediaType'];
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  if (header && header !== 'application/json' && header !== 'text/plain') return header;
  if (json['schemaVersion'] !== 2) return '';
  if (Array.isArray(json['manifests'])) return MediaType.OciIndex;
  if (isObject(json['config'])) return MediaType.OciManifest;
  return '';
}

function descriptors(value: unknown, where: string, max: number): ContentRef[] {
  if (!Array.isArray(value)) throw invalid(where, 'must be an array of descriptors');
  if (value.length > max) throw invalid(where, `lists ${value.length} descriptors, more than the ${max} accepted`);
  return value.map((entry, i) => parseDescriptor(entry, `${where}[${i}]`));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const invalid = (where: string, problem: string) => new ScanError(ScanErrorCode.ManifestInvalid, `${where}: ${problem}`);
const unsupported = (where: string, problem: string) => new ScanError(ScanErrorCode.UnsupportedMediaType, `${where}: ${problem}`);
