import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { digestProblem } from '@vulnscan/image-reference';
import type { LayerDescriptor, Platform } from '../types';
import { refuseIndexFanOut } from './manifest-budget';
import { IMAGE_CONFIG_TYPES, IMAGE_MANIFEST_TYPES, INDEX_TYPES, MediaType, SCHEMA1_TYPES } from './media-types';

export type ManifestKind = 'index' | 'image';

export interface ClassifiedManifest {
  readonly kind: ManifestKind;
  readonly mediaType: string;
  readonly json: Record<string, unknown>;
}

export interface IndexEntry extends LayerDescriptor {
  readonly platform?: Platform;
}

export interface ImageManifest {
  readonly config: LayerDescriptor;
  readonly layers: LayerDescriptor[];
}

const invalid = (where: string, problem: string) => new ScanError(ScanErrorCode.ManifestInvalid, `${where}: ${problem}`);

/**
 * Decides what a manifest is. The `mediaType` field wins over Content-Type because the digest
 * covers the body, not the headers; OCI manifests may omit the field and then the header decides.
 * `where` names the manifest in messages (`manifest 3.10 of library/alpine on 127.0.0.1:5000`).
 */
export function classifyManifest(bytes: Buffer, contentType: string | undefined, where: string): ClassifiedManifest {
  const json = parseJsonObject(bytes, where);
  if (json['schemaVersion'] === 1) {
    throw new ScanError(ScanErrorCode.UnsupportedMediaType, `${where}: Docker schema 1 manifests are not supported`);
  }
  const declared = typeof json['mediaType'] === 'string' ? json['mediaType'] : undefined;
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  const mediaType = declared ?? (header && header !== 'application/json' ? header : inferMediaType(json));
  if (INDEX_TYPES.has(mediaType)) return { kind: 'index', mediaType, json };
  if (IMAGE_MANIFEST_TYPES.has(mediaType)) return { kind: 'image', mediaType, json };
  if (SCHEMA1_TYPES.has(mediaType)) {
    throw new ScanError(ScanErrorCode.UnsupportedMediaType, `${where}: Docker schema 1 manifests are not supported`);
  }
  const named = mediaType || 'none';
  throw new ScanError(ScanErrorCode.UnsupportedMediaType, `${where}: media type "${named}" is not an image manifest or index`);
}

/** An index's entries; one listing more than `maxChildren` manifests is refused before any entry is parsed. */
export function parseIndex(json: Record<string, unknown>, where: string, maxChildren: number): IndexEntry[] {
  if (json['schemaVersion'] !== 2) throw invalid(where, 'schemaVersion must be 2');
  const manifests = json['manifests'];
  if (!Array.isArray(manifests)) throw invalid(where, '"manifests" must be an array');
  refuseIndexFanOut(manifests.length, maxChildren, where);
  return manifests.map((entry, i) => {
    const descriptor = parseDescriptor(entry, `${where}: manifests[${i}]`);
    const platform = (entry as Record<string, unknown>)['platform'];
    if (platform === undefined) return descriptor;
    return { ...descriptor, platform: parsePlatform(platform, `${where}: manifests[${i}].platform`) };
  });
}

export function parseImageManifest(json: Record<string, unknown>, where: string): ImageManifest {
  if (json['schemaVersion'] !== 2) throw invalid(where, 'schemaVersion must be 2');
  const config = parseDescriptor(json['config'], `${where}: config`);
  if (!IMAGE_CONFIG_TYPES.has(config.mediaType)) {
    const message = `${where}: config type "${config.mediaType}" is not a container image (an artifact?)`;
    throw new ScanError(ScanErrorCode.UnsupportedMediaType, message);
  }
  const layers = json['layers'];
  if (!Array.isArray(layers)) throw invalid(where, '"layers" must be an array');
  return { config, layers: layers.map((layer, i) => parseDescriptor(layer, `${where}: layers[${i}]`)) };
}

/** The platform an image was built for, from its config blob. */
export function parseImageConfig(bytes: Buffer, where: string): Platform {
  return parsePlatform(parseJsonObject(bytes, where), where);
}

/** OCI lets both the field and a useful Content-Type be absent; the document's shape then tells. */
function inferMediaType(json: Record<string, unknown>): string {
  if (json['schemaVersion'] !== 2) return '';
  if (Array.isArray(json['manifests'])) return MediaType.OciIndex;
  if (isObject(json['config'])) return MediaType.OciManifest;
  return '';
}

/** One content descriptor (`mediaType`, verifiable `digest`, `size`); `where` names it in errors. */
export function parseDescriptor(value: unknown, where: string): LayerDescriptor {
  if (!isObject(value)) throw invalid(where, 'descriptor must be an object');
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || !mediaType) throw invalid(where, 'mediaType is missing');
  if (typeof digest !== 'string') throw invalid(where, 'digest is missing');
  const problem = digestProblem(digest);
  if (problem) throw invalid(where, problem);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(where, 'size must be a non-negative integer');
  return { mediaType, digest, size };
}

function parsePlatform(value: unknown, where: string): Platform {
  if (!isObject(value)) throw invalid(where, 'platform must be an object');
  const { os, architecture, variant } = value;
  if (typeof os !== 'string' || !os) throw invalid(where, 'os is missing');
  if (typeof architecture !== 'string' || !architecture) throw invalid(where, 'architecture is missing');
  if (variant !== undefined && typeof variant !== 'string') throw invalid(where, 'variant must be a string');
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** A manifest's or config's bytes as a JSON object, or manifest_invalid saying why not. */
export function parseJsonObject(bytes: Buffer, where: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw invalid(where, `not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(json)) throw invalid(where, 'must be a JSON object');
  return json;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
