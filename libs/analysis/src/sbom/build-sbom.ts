import { createHash } from 'node:crypto';
import type { OsFamily, OsInfo, Package, PackageType } from '../model';
import { purlOf } from '../purl';
import { SBOM_SCHEMA_VERSION, type Sbom, type SbomPackage } from './sbom.model';

export interface SbomInput {
  image: Sbom['image'];
  os?: OsInfo;
  packages: readonly Package[];
  analyzer: Sbom['analyzer'];
  warnings?: readonly string[];
  /** Defaults to now; tests pass a fixed instant. */
  createdAt?: Date;
}

/** Which OS families a system package type can belong to. */
const OS_FAMILIES: Partial<Record<PackageType, readonly OsFamily[]>> = {
  deb: ['debian', 'ubuntu'],
  apk: ['alpine'],
  rpm: ['redhat'],
};

/**
 * Turns what the analyzers found into the stored SBOM: every package gets its purl and id,
 * packages with the same identity collapse into one, and the order is fixed so that two runs over
 * the same image produce the same document.
 */
export function buildSbom(input: SbomInput): Sbom {
  const byId = new Map<string, SbomPackage>();
  for (const pkg of input.packages) {
    const purl = purlOf(pkg, osOf(pkg, input.os));
    const id = packageId(purl, pkg.path, pkg.layerDigest);
    // The same package read twice from the same file of the same layer is one package.
    if (!byId.has(id)) byId.set(id, { ...pkg, purl, id });
  }
  const packages = [...byId.values()].sort(
    (a, b) => compare(a.purl, b.purl) || compare(a.path, b.path) || compare(a.layerDigest ?? '', b.layerDigest ?? ''),
  );
  return {
    schemaVersion: SBOM_SCHEMA_VERSION,
    image: input.image,
    ...(input.os ? { os: input.os } : {}),
    packages,
    analyzer: input.analyzer,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    warnings: [...(input.warnings ?? [])],
  };
}

/**
 * A stable id, unique within a document: 16 hex digits of a SHA-256 over purl, path and layer.
 * Hex only, so it is a valid CycloneDX bom-ref and SPDX id suffix as it is.
 */
export function packageId(purl: string, path: string, layerDigest: string | undefined): string {
  return createHash('sha256')
    .update(`${purl}\n${path}\n${layerDigest ?? ''}`)
    .digest('hex')
    .slice(0, 16);
}

/**
 * The same SBOM as seen by another scan of the same digest. Stored SBOMs are shared across
 * tenants, so an export must carry the requesting scan's reference, never the generating one's.
 */
export function withReference(sbom: Sbom, reference: string): Sbom {
  return { ...sbom, image: { ...sbom.image, reference } };
}

/**
 * The image's OS names a system package's purl namespace and distro only when it can be that
 * package's OS: a dpkg database copied into an Alpine image is not an Alpine package. An OS of
 * unknown family (CBL-Mariner has no ID_LIKE) is trusted, since nothing contradicts it.
 */
function osOf(pkg: Package, os: OsInfo | undefined): OsInfo | undefined {
  const families = OS_FAMILIES[pkg.type];
  if (!os || !families) return os;
  return os.family === 'unknown' || families.includes(os.family) ? os : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
