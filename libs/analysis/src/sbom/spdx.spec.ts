import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { fixturesDir } from '@vulnscan/testing';
import { toSpdx, type SpdxDocument } from './spdx';
import { ANALYZER, BASE_LAYER, MANIFEST_DIGEST, alpineSbom } from './test-support/alpine-sbom';

const IMAGE_PURL = `pkg:oci/alpine@${MANIFEST_DIGEST}?arch=amd64&repository_url=docker.io%2Flibrary%2Falpine&tag=3.10`;

let validate: ValidateFunction;
beforeAll(() => {
  // specs/ is the sibling of fixtures/ in ../shared.
  const schemaPath = path.join(fixturesDir(), '..', 'specs', 'spdx', 'spdx-2.3.schema.json');
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
});

function schemaErrors(document: SpdxDocument): unknown {
  return validate(document) ? null : validate.errors;
}

function pkgNamed(document: SpdxDocument, name: string) {
  const found = document.packages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no package ${name}`);
  return found;
}

describe('toSpdx', () => {
  const sbom = alpineSbom();
  const document = toSpdx(sbom);

  it('validates against the SPDX 2.3 JSON schema', () => {
    expect(schemaErrors(document)).toBeNull();
  });

  it('writes the document header with a deterministic namespace', () => {
    expect(document).toMatchObject({
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'docker.io/library/alpine:3.10',
      documentNamespace: `https://vulnscan.dev/spdx/${MANIFEST_DIGEST}/1.4.0`,
      // SPDX dates carry no fractional seconds.
      creationInfo: { creators: [`Tool: ${ANALYZER.name}-${ANALYZER.version}`], created: '2024-05-02T10:11:12Z' },
    });
    expect(toSpdx(alpineSbom())).toEqual(document);
    expect(toSpdx({ ...sbom, analyzer: { ...ANALYZER, version: '1.5.0' } }).documentNamespace).toBe(
      `https://vulnscan.dev/spdx/${MANIFEST_DIGEST}/1.5.0`,
    );
  });

  it('describes the image as a CONTAINER package identified by its oci purl', () => {
    expect(document.packages[0]).toEqual({
      SPDXID: 'SPDXRef-Image',
      name: 'docker.io/library/alpine',
      versionInfo: MANIFEST_DIGEST,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      primaryPackagePurpose: 'CONTAINER',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: IMAGE_PURL }],
    });
  });

  it('writes each package with its id, purl, source and a license only when it is SPDX', () => {
    const musl = sbom.packages.find((pkg) => pkg.name === 'musl-utils')!;
    expect(pkgNamed(document, 'musl-utils')).toEqual({
      SPDXID: `SPDXRef-Package-${musl.id}`,
      name: 'musl-utils',
      versionInfo: '1.1.22-r3',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'MIT AND BSD-3-Clause AND GPL-2.0-or-later',
      primaryPackagePurpose: 'LIBRARY',
      sourceInfo: 'built package from: musl 1.1.22-r3',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: 'pkg:apk/alpine/musl-utils@1.1.22-r3?arch=x86_64&distro=3.10.2',
        },
      ],
      annotations: [
        {
          annotationDate: '2024-05-02T10:11:12Z',
          annotationType: 'OTHER',
          annotator: 'Tool: vulnscan-1.4.0',
          comment: `vulnscan:layer:digest: ${BASE_LAYER}`,
        },
        {
          annotationDate: '2024-05-02T10:11:12Z',
          annotationType: 'OTHER',
          annotator: 'Tool: vulnscan-1.4.0',
          comment: 'vulnscan:package:path: lib/apk/db/installed',
        },
      ],
    });
    expect(pkgNamed(document, 'bsdutils')).toMatchObject({
      licenseDeclared: 'NOASSERTION',
      licenseComments: 'Declared by the package manager, not an SPDX expression: GPL-2+',
      sourceInfo: 'built package from: util-linux 2.38.1-5+deb12u3',
    });
    expect(pkgNamed(document, 'libcrypto1.1').licenseDeclared).toBe('NOASSERTION');
    expect(pkgNamed(document, '@babel/core').externalRefs?.[0]?.referenceLocator).toBe('pkg:npm/%40babel/core@7.23.2');
    expect(pkgNamed(document, 'org.apache.logging.log4j:log4j-core')).toMatchObject({ licenseDeclared: 'Apache-2.0' });
    expect(pkgNamed(document, 'alpine')).toMatchObject({ SPDXID: 'SPDXRef-os-alpine-3.10.2', primaryPackagePurpose: 'OPERATING_SYSTEM' });
  });

  it('relates DOCUMENT DESCRIBES image and image CONTAINS the OS and every package', () => {
    const contained = document.packages.slice(1).map((pkg) => pkg.SPDXID);
    expect(contained).toHaveLength(7);
    expect(document.relationships).toEqual([
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image' },
      ...contained.map((id) => ({ spdxElementId: 'SPDXRef-Image', relationshipType: 'CONTAINS', relatedSpdxElement: id })),
    ]);
    expect(new Set(document.packages.map((pkg) => pkg.SPDXID)).size).toBe(document.packages.length);
  });

  it('validates with zero packages and no OS', () => {
    const empty = toSpdx(alpineSbom({ packages: [], os: null }));
    expect(empty.packages.map((pkg) => pkg.SPDXID)).toEqual(['SPDXRef-Image']);
    expect(empty.relationships).toHaveLength(1);
    expect(schemaErrors(empty)).toBeNull();
  });

  it('sanitizes ids to SPDX characters and keeps sanitized duplicates apart', () => {
    const weird = alpineSbom();
    weird.packages = [
      { ...weird.packages[0]!, id: 'a_b' },
      { ...weird.packages[1]!, id: 'a:b' },
    ];
    const ids = toSpdx(weird).packages.map((pkg) => pkg.SPDXID);
    expect(ids).toEqual(['SPDXRef-Image', 'SPDXRef-os-alpine-3.10.2', 'SPDXRef-Package-a-b', 'SPDXRef-Package-a-b-2']);
    expect(schemaErrors(toSpdx(weird))).toBeNull();
  });

  it('validates when licenses are not SPDX; LicenseRef is never asserted without its text', () => {
    const odd = toSpdx(
      alpineSbom({
        packages: [
          { type: 'apk', name: 'a', version: '1-r0', licenses: ['custom:multiple'], path: 'x' },
          { type: 'apk', name: 'b', version: '1-r0', licenses: ['LicenseRef-Proprietary'], path: 'x' },
        ],
      }),
    );
    expect(schemaErrors(odd)).toBeNull();
    expect(odd.packages.slice(2).map((pkg) => pkg.licenseDeclared)).toEqual(['NOASSERTION', 'NOASSERTION']);
  });

  it('the schema check is not vacuous', () => {
    const broken = { ...document, packages: [{ ...document.packages[0]!, primaryPackagePurpose: 'IMAGE' }] };
    expect(schemaErrors(broken as unknown as SpdxDocument)).not.toBeNull();
  });
});
