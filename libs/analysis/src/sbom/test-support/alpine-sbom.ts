import type { OsInfo, Package } from '../../model';
import { buildSbom } from '../build-sbom';
import type { Sbom, SbomImage } from '../sbom.model';

/*
 * An Alpine 3.10 image as the analyzers would report it. The apk packages, their sources and
 * licenses are those of ../shared/fixtures/images/alpine-310 (trivy's golden list), and the base
 * layer digest is that image's real diff id; the second layer, the manifest digest and the
 * non-apk packages are made up for the exports to cover every ecosystem we emit.
 */

export const BASE_LAYER = 'sha256:531743b7098cb2aaf615641007a129173f63ed86ca32fe7b5a246a1c47286028';
export const APP_LAYER = 'sha256:0f5b1a4f0e8f3c2a6f2b1d9e8c7b6a5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a99';
export const MANIFEST_DIGEST = 'sha256:e4355b66995c96b4b468159fc5c7e3540fcef961189ca13fee877798649f531a';

export const ALPINE_310: OsInfo = {
  id: 'alpine',
  family: 'alpine',
  version: '3.10.2',
  prettyName: 'Alpine Linux v3.10',
  path: 'etc/os-release',
};

export const IMAGE: SbomImage = {
  reference: 'docker.io/library/alpine:3.10',
  manifestDigest: MANIFEST_DIGEST,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  platform: { os: 'linux', architecture: 'amd64' },
  layers: [
    { digest: BASE_LAYER, size: 5_811_200, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
    { digest: APP_LAYER, size: 1_204_331, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
  ],
};

const APK_DB = 'lib/apk/db/installed';

export const PACKAGES: Package[] = [
  {
    type: 'apk',
    name: 'musl-utils',
    version: '1.1.22-r3',
    arch: 'x86_64',
    source: { name: 'musl', version: '1.1.22-r3' },
    licenses: ['MIT', 'BSD-3-Clause', 'GPL-2.0-or-later'],
    path: APK_DB,
    layerDigest: BASE_LAYER,
  },
  {
    type: 'apk',
    name: 'ca-certificates-cacert',
    version: '20190108-r0',
    arch: 'x86_64',
    source: { name: 'ca-certificates', version: '20190108-r0' },
    licenses: ['MPL-2.0 AND MIT'],
    path: APK_DB,
    layerDigest: BASE_LAYER,
  },
  {
    type: 'apk',
    name: 'libcrypto1.1',
    version: '1.1.1c-r0',
    arch: 'x86_64',
    source: { name: 'openssl', version: '1.1.1c-r0' },
    path: APK_DB,
    layerDigest: BASE_LAYER,
  },
  {
    // Debian 12's bsdutils: a binNMU-free binary whose source is util-linux, with an epoch.
    type: 'deb',
    name: 'bsdutils',
    version: '1:2.38.1-5+deb12u3',
    arch: 'amd64',
    source: { name: 'util-linux', version: '2.38.1-5+deb12u3' },
    licenses: ['GPL-2+'],
    path: 'var/lib/dpkg/status',
    layerDigest: APP_LAYER,
  },
  {
    type: 'npm',
    namespace: 'babel',
    name: 'core',
    version: '7.23.2',
    licenses: ['MIT'],
    path: 'app/node_modules/@babel/core/package.json',
    layerDigest: APP_LAYER,
  },
  {
    type: 'maven',
    namespace: 'org.apache.logging.log4j',
    name: 'log4j-core',
    version: '2.14.1',
    licenses: ['Apache-2.0'],
    path: 'app/lib/log4j-core-2.14.1.jar',
    layerDigest: APP_LAYER,
  },
];

export const ANALYZER = { name: 'vulnscan', version: '1.4.0' };
export const CREATED_AT = new Date('2024-05-02T10:11:12.345Z');

export function alpineSbom(overrides: { packages?: Package[]; os?: OsInfo | null } = {}): Sbom {
  return buildSbom({
    image: IMAGE,
    os: overrides.os === null ? undefined : (overrides.os ?? ALPINE_310),
    packages: overrides.packages ?? PACKAGES,
    analyzer: ANALYZER,
    createdAt: CREATED_AT,
  });
}
