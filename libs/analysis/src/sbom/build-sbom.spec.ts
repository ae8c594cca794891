import type { Package } from '../model';
import { buildSbom, packageId, withReference } from './build-sbom';
import { ALPINE_310, ANALYZER, APP_LAYER, BASE_LAYER, IMAGE, alpineSbom } from './test-support/alpine-sbom';

const lodash = (path: string, layerDigest = APP_LAYER): Package => ({
  type: 'npm',
  name: 'lodash',
  version: '4.17.21',
  path,
  layerDigest,
});

function build(packages: Package[]) {
  return buildSbom({ image: IMAGE, os: ALPINE_310, packages, analyzer: ANALYZER, createdAt: new Date(0) });
}

describe('buildSbom', () => {
  it('gives every package its purl and an id over purl, path and layer', () => {
    const sbom = alpineSbom();
    expect(sbom.packages.map((pkg) => pkg.purl)).toEqual([
      'pkg:apk/alpine/ca-certificates-cacert@20190108-r0?arch=x86_64&distro=3.10.2',
      'pkg:apk/alpine/libcrypto1.1@1.1.1c-r0?arch=x86_64&distro=3.10.2',
      'pkg:apk/alpine/musl-utils@1.1.22-r3?arch=x86_64&distro=3.10.2',
      // A dpkg database in an Alpine image: not an Alpine package, so no OS namespace or distro.
      'pkg:deb/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64',
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
      'pkg:npm/%40babel/core@7.23.2',
    ]);
    const musl = sbom.packages[2]!;
    expect(musl.id).toBe(packageId(musl.purl, 'lib/apk/db/installed', BASE_LAYER));
    expect(musl.id).toMatch(/^[0-9a-f]{16}$/);
    expect(sbom).toMatchObject({ schemaVersion: 1, createdAt: '2024-05-02T10:11:12.345Z', warnings: [], os: ALPINE_310 });
  });

  it('keeps one package installed in two places as two, and one read twice as one', () => {
    const sbom = build([lodash('app/a/package.json'), lodash('app/b/package.json'), lodash('app/a/package.json')]);
    expect(sbom.packages.map((pkg) => pkg.path)).toEqual(['app/a/package.json', 'app/b/package.json']);
    expect(new Set(sbom.packages.map((pkg) => pkg.id)).size).toBe(2);
    expect(build([lodash('x', BASE_LAYER), lodash('x', APP_LAYER)]).packages).toHaveLength(2);
  });

  it('produces the same document whatever order the analyzers reported in', () => {
    const packages = alpineSbom().packages;
    const shuffled = [...packages].reverse();
    expect(build(shuffled).packages).toEqual(build(packages).packages);
  });

  it('ids are stable across runs (they are stored and referenced)', () => {
    expect(packageId('pkg:npm/lodash@4.17.21', 'app/package-lock.json', undefined)).toBe(
      packageId('pkg:npm/lodash@4.17.21', 'app/package-lock.json', undefined),
    );
    expect(packageId('pkg:npm/lodash@4.17.21', 'app/package-lock.json', undefined)).toBe('3031b623d1987f3d');
  });

  it('withReference swaps the reference only', () => {
    const sbom = alpineSbom();
    const other = withReference(sbom, 'registry.example.com/team/alpine:prod');
    expect(other.image).toEqual({ ...sbom.image, reference: 'registry.example.com/team/alpine:prod' });
    expect(other.packages).toBe(sbom.packages);
    expect(sbom.image.reference).toBe('docker.io/library/alpine:3.10');
  });
});
