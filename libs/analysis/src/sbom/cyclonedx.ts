import { Enums, Models, Serialize, Spec, SPDX } from '@cyclonedx/cyclonedx-library';
import type { OsInfo } from '../model';
import { documentSerialNumber } from './document-identity';
import { imageIdentity, platformString } from './image';
import { spdxExpressionOf } from './licenses';
import { SBOM_PROPERTY, SBOM_VENDOR } from './names';
import { osRef } from './os-ref';
import type { Sbom, SbomPackage } from './sbom.model';

/** A CycloneDX 1.6 JSON document, as the library's normalizer shapes it. */
export type CycloneDxDocument = Serialize.JSON.Types.Normalized.Bom;

/**
 * The SBOM as CycloneDX 1.6 JSON: the image is `metadata.component` (type container, identified by
 * an oci purl), each package a `library` component and the OS an `operating-system` one, all of
 * them dependencies of the image. Lists keep the SBOM's order (already deterministic), because
 * the library's sorting would scramble the layer order, which means something.
 */
export function toCycloneDx(sbom: Sbom): CycloneDxDocument {
  const image = imageComponent(sbom);
  const components = [...(sbom.os ? [osComponent(sbom.os)] : []), ...sbom.packages.map(packageComponent)];
  // The normalizer writes only dependencies whose target is a component of this BOM instance.
  for (const component of components) image.dependencies.add(component.bomRef);

  const bom = new Models.Bom({
    serialNumber: documentSerialNumber(sbom),
    metadata: new Models.Metadata({
      timestamp: new Date(sbom.createdAt),
      component: image,
      tools: new Models.Tools({ components: new Models.ComponentRepository([toolComponent(sbom)]) }),
    }),
    components: new Models.ComponentRepository(components),
  });
  const normalized = new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6).makeForBom().normalize(bom, { sortLists: false });
  // The normalizer leaves absent fields as `undefined` keys; a JSON round trip drops them, so
  // callers and tests see exactly the document that goes over the wire.
  return JSON.parse(JSON.stringify(normalized)) as CycloneDxDocument;
}

function imageComponent(sbom: Sbom): Models.Component {
  const identity = imageIdentity(sbom.image);
  const properties = [
    property(SBOM_PROPERTY.imageReference, sbom.image.reference),
    property(SBOM_PROPERTY.imageMediaType, sbom.image.mediaType),
    property(SBOM_PROPERTY.imagePlatform, platformString(sbom.image)),
    // Bottom layer first, as in the manifest.
    ...sbom.image.layers.map((layer) => property(SBOM_PROPERTY.imageLayer, layer.digest)),
  ];
  return new Models.Component(Enums.ComponentType.Container, identity.name, {
    bomRef: identity.purl,
    version: sbom.image.manifestDigest,
    purl: identity.purl,
    properties: new Models.PropertyRepository(properties),
  });
}

function toolComponent(sbom: Sbom): Models.Component {
  return new Models.Component(Enums.ComponentType.Application, sbom.analyzer.name, {
    group: SBOM_VENDOR,
    version: sbom.analyzer.version,
  });
}

function osComponent(os: OsInfo): Models.Component {
  const properties = [property(SBOM_PROPERTY.osFamily, os.family)];
  if (os.codename) properties.push(property(SBOM_PROPERTY.osCodename, os.codename));
  return new Models.Component(Enums.ComponentType.OperatingSystem, os.id, {
    bomRef: osRef(os),
    version: os.version,
    description: os.prettyName,
    properties: new Models.PropertyRepository(properties),
  });
}

function packageComponent(pkg: SbomPackage): Models.Component {
  return new Models.Component(Enums.ComponentType.Library, componentName(pkg), {
    bomRef: pkg.id,
    group: componentGroup(pkg),
    version: pkg.version,
    purl: pkg.purl,
    licenses: licenses(pkg.licenses),
    properties: new Models.PropertyRepository(packageProperties(pkg)),
  });
}

/** A Go module is known by its whole path; elsewhere the namespace is CycloneDX's group. */
function componentName(pkg: SbomPackage): string {
  return pkg.type === 'golang' && pkg.namespace ? `${pkg.namespace}/${pkg.name}` : pkg.name;
}

function componentGroup(pkg: SbomPackage): string | undefined {
  if (!pkg.namespace || pkg.type === 'golang') return undefined;
  // npm's own spelling of a scope, as CycloneDX's npm tooling writes it.
  if (pkg.type === 'npm') return pkg.namespace.startsWith('@') ? pkg.namespace : `@${pkg.namespace}`;
  return pkg.namespace;
}

function packageProperties(pkg: SbomPackage): Models.Property[] {
  const properties = [property(SBOM_PROPERTY.packagePath, pkg.path)];
  if (pkg.layerDigest) properties.push(property(SBOM_PROPERTY.layerDigest, pkg.layerDigest));
  if (pkg.source) {
    properties.push(property(SBOM_PROPERTY.sourceName, pkg.source.name));
    properties.push(property(SBOM_PROPERTY.sourceVersion, pkg.source.version));
  }
  if (pkg.rpm?.sourceRpm) properties.push(property(SBOM_PROPERTY.sourceRpm, pkg.rpm.sourceRpm));
  return properties;
}

/**
 * CycloneDX allows either a list of single licenses or exactly one expression, never both. Plain
 * listed ids stay a list; a set that forms a valid expression becomes one; anything else is kept
 * as the package manager wrote it, as named licenses, rather than dropped.
 */
function licenses(declared: readonly string[] | undefined): Models.LicenseRepository {
  const values = [...new Set((declared ?? []).map((license) => license.trim()).filter(Boolean))];
  const repository = new Models.LicenseRepository();
  if (values.length === 0) return repository;
  const expression = spdxExpressionOf(values);
  if (expression && !values.every((value) => SPDX.isSupportedSpdxId(value))) {
    repository.add(new Models.LicenseExpression(expression));
    return repository;
  }
  for (const value of values) {
    repository.add(SPDX.isSupportedSpdxId(value) ? new Models.SpdxLicense(value) : new Models.NamedLicense(value));
  }
  return repository;
}

function property(name: string, value: string): Models.Property {
  return new Models.Property(name, value);
}
