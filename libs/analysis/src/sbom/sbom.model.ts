import type { OsInfo, Package } from '../model';

/**
 * Bumped when the stored shape changes incompatibly; a reader refuses versions it does not know
 * rather than misreading them (stored SBOMs outlive the code that wrote them).
 */
export const SBOM_SCHEMA_VERSION = 1;

export interface SbomPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface SbomLayer {
  digest: string;
  size: number;
  mediaType: string;
}

export interface SbomImage {
  /**
   * The canonical reference (`registry/repository[:tag][@digest]`) of the scan that generated this
   * SBOM. The SBOM is shared by every scan of the same digest, across tenants: before exporting it
   * to another scan, replace this with that scan's own reference (`withReference`), or one
   * tenant's registry and repository names would leak to another.
   */
  reference: string;
  manifestDigest: string;
  mediaType: string;
  platform: SbomPlatform;
  layers: SbomLayer[];
}

export type SbomPackage = Package & {
  /** Package URL (purl spec), built from the package and the image's OS. */
  purl: string;
  /**
   * Unique within the document and stable across regenerations: derived from purl, path and
   * layer, so one package installed in two places stays two components.
   */
  id: string;
};

export interface SbomAnalyzer {
  name: string;
  version: string;
}

/** What image analysis produced for one manifest digest; stored per (digest, analyzer version). */
export interface Sbom {
  schemaVersion: typeof SBOM_SCHEMA_VERSION;
  image: SbomImage;
  os?: OsInfo;
  packages: SbomPackage[];
  analyzer: SbomAnalyzer;
  /** ISO 8601 (UTC) instant the SBOM was generated. */
  createdAt: string;
  warnings: string[];
}
