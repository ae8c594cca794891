import type { OsInfo } from '../model';
import { documentUri } from './document-identity';
import { imageIdentity } from './image';
import { spdxExpressionOf } from './licenses';
import { SBOM_PROPERTY } from './names';
import { osRef } from './os-ref';
import type { Sbom, SbomPackage } from './sbom.model';

/** SPDX's word for "the creator made no attempt to determine this". */
const NOASSERTION = 'NOASSERTION';

export interface SpdxExternalRef {
  referenceCategory: 'PACKAGE-MANAGER';
  referenceType: 'purl';
  referenceLocator: string;
}

export interface SpdxAnnotation {
  annotationDate: string;
  annotationType: 'OTHER';
  annotator: string;
  comment: string;
}

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  /** False: we list packages, not their files, so no verification code is owed. */
  filesAnalyzed: false;
  licenseConcluded: string;
  licenseDeclared: string;
  licenseComments?: string;
  primaryPackagePurpose: 'CONTAINER' | 'OPERATING_SYSTEM' | 'LIBRARY';
  sourceInfo?: string;
  description?: string;
  externalRefs?: SpdxExternalRef[];
  annotations?: SpdxAnnotation[];
}

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: 'DESCRIBES' | 'CONTAINS';
  relatedSpdxElement: string;
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { creators: string[]; created: string };
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
}

/**
 * The SBOM as SPDX 2.3 JSON: the image is the described CONTAINER package and CONTAINS the OS and
 * every package. Licenses are asserted only when they form a valid SPDX expression.
 */
export function toSpdx(sbom: Sbom): SpdxDocument {
  const ids = new SpdxIds();
  const created = spdxDate(sbom.createdAt);
  const tool = `Tool: ${sbom.analyzer.name}-${sbom.analyzer.version}`;
  const image = imagePackage(sbom, ids.take('Image'));
  const contained = [
    ...(sbom.os ? [osPackage(sbom.os, ids.take(osRef(sbom.os)))] : []),
    ...sbom.packages.map((pkg) => packageOf(pkg, ids.take(`Package-${pkg.id}`), { created, tool })),
  ];
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: sbom.image.reference,
    documentNamespace: documentUri(sbom),
    creationInfo: { creators: [tool], created },
    packages: [image, ...contained],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: image.SPDXID },
      ...contained.map((pkg): SpdxRelationship => ({
        spdxElementId: image.SPDXID,
        relationshipType: 'CONTAINS',
        relatedSpdxElement: pkg.SPDXID,
      })),
    ],
  };
}

function imagePackage(sbom: Sbom, SPDXID: string): SpdxPackage {
  const identity = imageIdentity(sbom.image);
  return {
    SPDXID,
    name: identity.name,
    versionInfo: sbom.image.manifestDigest,
    ...unknownOrigin(),
    primaryPackagePurpose: 'CONTAINER',
    externalRefs: [purlRef(identity.purl)],
  };
}

function osPackage(os: OsInfo, SPDXID: string): SpdxPackage {
  return {
    SPDXID,
    name: os.id,
    ...(os.version ? { versionInfo: os.version } : {}),
    ...unknownOrigin(),
    primaryPackagePurpose: 'OPERATING_SYSTEM',
    ...(os.prettyName ? { description: os.prettyName } : {}),
  };
}

function packageOf(pkg: SbomPackage, SPDXID: string, annotation: { created: string; tool: string }): SpdxPackage {
  const expression = spdxExpressionOf(pkg.licenses);
  const annotate = (name: string, value: string): SpdxAnnotation => ({
    annotationDate: annotation.created,
    annotationType: 'OTHER',
    annotator: annotation.tool,
    comment: `${name}: ${value}`,
  });
  return {
    SPDXID,
    name: displayName(pkg),
    versionInfo: pkg.version,
    ...unknownOrigin(),
    ...(expression ? { licenseDeclared: expression } : {}),
    // Free-text licenses are not lost, only not asserted as SPDX.
    ...(!expression && pkg.licenses?.length
      ? { licenseComments: `Declared by the package manager, not an SPDX expression: ${pkg.licenses.join('; ')}` }
      : {}),
    primaryPackagePurpose: 'LIBRARY',
    ...(pkg.source ? { sourceInfo: `built package from: ${pkg.source.name} ${pkg.source.version}` } : {}),
    externalRefs: [purlRef(pkg.purl)],
    // SPDX 2.3 has no properties; annotations carry the same facts CycloneDX puts in properties.
    annotations: [
      ...(pkg.layerDigest ? [annotate(SBOM_PROPERTY.layerDigest, pkg.layerDigest)] : []),
      annotate(SBOM_PROPERTY.packagePath, pkg.path),
    ],
  };
}

function unknownOrigin(): Pick<SpdxPackage, 'downloadLocation' | 'filesAnalyzed' | 'licenseConcluded' | 'licenseDeclared'> {
  return { downloadLocation: NOASSERTION, filesAnalyzed: false, licenseConcluded: NOASSERTION, licenseDeclared: NOASSERTION };
}

function purlRef(purl: string): SpdxExternalRef {
  return { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl };
}

/** How each ecosystem spells a qualified name: `@scope/name`, `group:artifact`, a module path. */
function displayName(pkg: SbomPackage): string {
  if (!pkg.namespace) return pkg.name;
  switch (pkg.type) {
    case 'npm':
      return `${pkg.namespace.startsWith('@') ? pkg.namespace : `@${pkg.namespace}`}/${pkg.name}`;
    case 'maven':
      return `${pkg.namespace}:${pkg.name}`;
    default:
      return `${pkg.namespace}/${pkg.name}`;
  }
}

/** SPDX dates are `YYYY-MM-DDThh:mm:ssZ`: UTC, without fractional seconds. */
function spdxDate(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * SPDX ids allow only `[A-Za-z0-9.-]`; sanitizing can make two ids equal, so a later one gets a
 * numeric suffix rather than silently merging two elements.
 */
class SpdxIds {
  private readonly taken = new Set<string>();

  take(suffix: string): string {
    const base = `SPDXRef-${suffix.replace(/[^A-Za-z0-9.-]/g, '-')}`;
    let id = base;
    for (let n = 2; this.taken.has(id); n++) id = `${base}-${n}`;
    this.taken.add(id);
    return id;
  }
}
