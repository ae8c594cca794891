import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { toCycloneDx, type CycloneDxDocument } from './cyclonedx';
import { ALPINE_310, ANALYZER, APP_LAYER, BASE_LAYER, MANIFEST_DIGEST, alpineSbom } from './test-support/alpine-sbom';

const IMAGE_PURL = `pkg:oci/alpine@${MANIFEST_DIGEST}?arch=amd64&repository_url=docker.io%2Flibrary%2Falpine&tag=3.10`;

/** The schema that ships inside @cyclonedx/cyclonedx-library, strict variant, offline. */
async function schemaErrors(document: CycloneDxDocument): Promise<unknown> {
  return new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(JSON.stringify(document));
}

function component(document: CycloneDxDocument, name: string) {
  const found = document.components?.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no component ${name}`);
  return found;
}

describe('toCycloneDx', () => {
  const document = toCycloneDx(alpineSbom());

  it('validates against the CycloneDX 1.6 JSON schema', async () => {
    expect(await schemaErrors(document)).toBeNull();
  });

  it('describes the image as a container identified by its oci purl', () => {
    expect(document.specVersion).toBe('1.6');
    expect(document.metadata?.timestamp).toBe('2024-05-02T10:11:12.345Z');
    expect(document.metadata?.tools).toEqual({
      components: [{ type: 'application', name: ANALYZER.name, group: 'vulnscan', version: ANALYZER.version }],
    });
    expect(document.metadata?.component).toEqual({
      type: 'container',
      name: 'docker.io/library/alpine',
      version: MANIFEST_DIGEST,
      'bom-ref': IMAGE_PURL,
      purl: IMAGE_PURL,
      properties: [
        { name: 'vulnscan:image:reference', value: 'docker.io/library/alpine:3.10' },
        { name: 'vulnscan:image:media-type', value: 'application/vnd.oci.image.manifest.v1+json' },
        { name: 'vulnscan:image:platform', value: 'linux/amd64' },
        { name: 'vulnscan:image:layer', value: BASE_LAYER },
        { name: 'vulnscan:image:layer', value: APP_LAYER },
      ],
    });
  });

  it('writes each package with purl, bom-ref = id, licenses and where it was found', () => {
    const sbom = alpineSbom();
    const musl = sbom.packages.find((pkg) => pkg.name === 'musl-utils')!;
    expect(component(document, 'musl-utils')).toEqual({
      type: 'library',
      name: 'musl-utils',
      version: '1.1.22-r3',
      'bom-ref': musl.id,
      purl: 'pkg:apk/alpine/musl-utils@1.1.22-r3?arch=x86_64&distro=3.10.2',
      licenses: [{ license: { id: 'MIT' } }, { license: { id: 'BSD-3-Clause' } }, { license: { id: 'GPL-2.0-or-later' } }],
      properties: [
        { name: 'vulnscan:package:path', value: 'lib/apk/db/installed' },
        { name: 'vulnscan:layer:digest', value: BASE_LAYER },
        { name: 'vulnscan:package:source-name', value: 'musl' },
        { name: 'vulnscan:package:source-version', value: '1.1.22-r3' },
      ],
    });
    expect(component(document, 'ca-certificates-cacert').licenses).toEqual([{ expression: 'MPL-2.0 AND MIT' }]);
    expect(component(document, 'bsdutils')).toMatchObject({
      purl: 'pkg:deb/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64',
      // Free text stays a named license, never an SPDX id.
      licenses: [{ license: { name: 'GPL-2+' } }],
      properties: expect.arrayContaining([{ name: 'vulnscan:package:source-name', value: 'util-linux' }]),
    });
    expect(component(document, 'core')).toMatchObject({ group: '@babel', purl: 'pkg:npm/%40babel/core@7.23.2' });
    expect(component(document, 'log4j-core')).toMatchObject({
      group: 'org.apache.logging.log4j',
      purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    });
    expect(document.components?.map((c) => c['bom-ref'])).toEqual(['os-alpine-3.10.2', ...sbom.packages.map((p) => p.id)]);
  });

  it('writes the OS as an operating-system component', () => {
    expect(component(document, 'alpine')).toEqual({
      type: 'operating-system',
      name: 'alpine',
      version: '3.10.2',
      'bom-ref': 'os-alpine-3.10.2',
      description: ALPINE_310.prettyName,
      properties: [{ name: 'vulnscan:os:family', value: 'alpine' }],
    });
  });

  it('makes every component a dependency of the image', () => {
    const refs = document.components!.map((c) => c['bom-ref']!);
    expect(refs).toHaveLength(7);
    const image = document.dependencies?.find((dependency) => dependency.ref === IMAGE_PURL);
    expect(image?.dependsOn).toEqual(refs);
    expect(document.dependencies).toHaveLength(8);
  });

  it('is deterministic per (digest, analyzer version): same serial number, same document', () => {
    expect(document.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(toCycloneDx(alpineSbom())).toEqual(document);
    const sbom = alpineSbom();
    const next = toCycloneDx({ ...sbom, analyzer: { ...sbom.analyzer, version: '1.5.0' } });
    expect(next.serialNumber).not.toBe(document.serialNumber);
  });

  it('validates with zero packages and no OS', async () => {
    const empty = toCycloneDx(alpineSbom({ packages: [], os: null }));
    expect(empty.components).toEqual([]);
    expect(empty.dependencies).toEqual([{ ref: IMAGE_PURL }]);
    expect(await schemaErrors(empty)).toBeNull();
  });

  it('validates when licenses are not SPDX, or mix free text with expressions', async () => {
    const odd = toCycloneDx(
      alpineSbom({
        packages: [
          { type: 'apk', name: 'a', version: '1-r0', licenses: ['custom:multiple', 'MIT AND BSD-3-Clause'], path: 'x' },
          { type: 'apk', name: 'b', version: '1-r0', licenses: ['LicenseRef-Proprietary', 'GPL-2.0-only'], path: 'x' },
          { type: 'apk', name: 'c', version: '1-r0', licenses: ['GPL-2.0-only', 'MIT OR Apache-2.0'], path: 'x' },
        ],
      }),
    );
    expect(await schemaErrors(odd)).toBeNull();
    expect(component(odd, 'a').licenses).toEqual([{ license: { name: 'custom:multiple' } }, { license: { name: 'MIT AND BSD-3-Clause' } }]);
    expect(component(odd, 'b').licenses).toEqual([{ license: { name: 'LicenseRef-Proprietary' } }, { license: { id: 'GPL-2.0-only' } }]);
    expect(component(odd, 'c').licenses).toEqual([{ expression: 'GPL-2.0-only AND (MIT OR Apache-2.0)' }]);
  });

  it('the schema check is not vacuous', async () => {
    const broken = { ...document, components: [{ ...document.components![0]!, type: 'image' }] };
    expect(await schemaErrors(broken as unknown as CycloneDxDocument)).not.toBeNull();
  });
});
