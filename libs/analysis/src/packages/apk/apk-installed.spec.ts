import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import type { Package } from '../../model';
import { parseApkInstalled } from './apk-installed';

const INSTALLED = 'lib/apk/db/installed';
const parseFixture = (name: string) => parseApkInstalled(readFileSync(path.join(fixturesDir(), 'pkgdb', 'apk', name), 'utf8'), INSTALLED);

function apk(name: string, version: string, arch: string | undefined, origin: string, license?: string): Package {
  return {
    type: 'apk',
    name,
    version,
    ...(arch ? { arch } : {}),
    source: { name: origin, version },
    ...(license ? { licenses: [license] } : {}),
    path: INSTALLED,
  };
}

describe('parseApkInstalled on the osv-scalibr apk fixtures', () => {
  it('installed: 15 packages (Alpine 3.18), SPDX expressions kept whole', () => {
    expect(parseFixture('installed')).toEqual({
      packages: [
        apk('alpine-baselayout', '3.4.3-r1', 'x86_64', 'alpine-baselayout', 'GPL-2.0-only'),
        apk('alpine-baselayout-data', '3.4.3-r1', 'x86_64', 'alpine-baselayout', 'GPL-2.0-only'),
        apk('alpine-keys', '2.4-r1', 'x86_64', 'alpine-keys', 'MIT'),
        apk('apk-tools', '2.14.0-r0', 'x86_64', 'apk-tools', 'GPL-2.0-only'),
        apk('busybox', '1.36.0-r9', 'x86_64', 'busybox', 'GPL-2.0-only'),
        apk('busybox-binsh', '1.36.0-r9', 'x86_64', 'busybox', 'GPL-2.0-only'),
        apk('ca-certificates-bundle', '20230506-r0', 'x86_64', 'ca-certificates', 'MPL-2.0 AND MIT'),
        apk('libc-utils', '0.7.2-r5', 'x86_64', 'libc-dev', 'BSD-2-Clause AND BSD-3-Clause'),
        apk('libcrypto3', '3.1.0-r4', 'x86_64', 'openssl', 'Apache-2.0'),
        apk('libssl3', '3.1.0-r4', 'x86_64', 'openssl', 'Apache-2.0'),
        apk('musl', '1.2.4-r0', 'x86_64', 'musl', 'MIT'),
        apk('musl-utils', '1.2.4-r0', 'x86_64', 'musl', 'MIT AND BSD-2-Clause AND GPL-2.0-or-later'),
        apk('scanelf', '1.3.7-r1', 'x86_64', 'pax-utils', 'GPL-2.0-only'),
        apk('ssl_client', '1.36.0-r9', 'x86_64', 'busybox', 'GPL-2.0-only'),
        apk('zlib', '1.2.13-r1', 'x86_64', 'zlib', 'Zlib'),
      ],
      warnings: [],
    });
  });

  it('single and different-arch: one package, arch as written', () => {
    const baselayoutData = (arch: string) => apk('alpine-baselayout-data', '3.4.3-r1', arch, 'alpine-baselayout', 'GPL-2.0-only');
    expect(parseFixture('single')).toEqual({ packages: [baselayoutData('x86_64')], warnings: [] });
    expect(parseFixture('different-arch')).toEqual({ packages: [baselayoutData('noarch')], warnings: [] });
  });

  it('no-origin: the package is its own source', () => {
    expect(parseFixture('no-origin')).toEqual({
      packages: [apk('pkgname', '1.2.3', 'x86_64', 'pkgname', 'GPL-2.0-only')],
      warnings: [],
    });
  });

  it('empty: nothing, silently', () => {
    expect(parseFixture('empty')).toEqual({ packages: [], warnings: [] });
  });

  it('invalid: warnings, no packages', () => {
    expect(parseFixture('invalid')).toEqual({
      packages: [],
      warnings: [
        `${INSTALLED}: line 1: not a field`,
        `${INSTALLED}: line 3: not a field`,
        `${INSTALLED}: block at line 1: no P: (name); skipped`,
        `${INSTALLED}: block at line 3: no P: (name); skipped`,
      ],
    });
  });

  it('a block without a version is skipped, the others kept', () => {
    expect(parseApkInstalled('P:a\nA:x86_64\n\nP:b\nV:1-r0\n', INSTALLED)).toEqual({
      packages: [apk('b', '1-r0', undefined, 'b')],
      warnings: [`${INSTALLED}: block at line 1: a: no V: (version); skipped`],
    });
  });
});
