import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import type { Package } from '../../model';
import { isInstalledState, parseDpkgStatus, parseSourceField } from './dpkg-status';

const STATUS = 'var/lib/dpkg/status';
const pkgdb = (name: string): string => readFileSync(path.join(fixturesDir(), 'pkgdb', name), 'utf8');
const byName = (packages: Package[], name: string): Package | undefined => packages.find((p) => p.name === name);

describe('parseDpkgStatus on a real Ubuntu 18.04 status file', () => {
  const { packages, warnings } = parseDpkgStatus(pkgdb('dpkg-ubuntu1804.status'), STATUS);

  it('finds exactly the 90 installed packages; git is only config-files', () => {
    expect(warnings).toEqual([]);
    expect(packages).toHaveLength(90);
    expect(new Set(packages.map((p) => p.name)).size).toBe(90);
    expect(byName(packages, 'git')).toBeUndefined();
  });

  it.each<[string, string, string, string, string]>([
    // binNMU: the source version lacks the binary's +bN
    ['liblzma5', '5.1.1alpha+20120614-2+b3', 'amd64', 'xz-utils', '5.1.1alpha+20120614-2'],
    ['libustr-1.0-1', '1.0.4-3+b2', 'amd64', 'ustr', '1.0.4-3'],
    // the binary has an epoch its source package does not
    ['bsdutils', '1:2.31.1-0.4ubuntu3.1', 'amd64', 'util-linux', '2.31.1-0.4ubuntu3.1'],
    ['libgcc1', '1:8-20180414-1ubuntu2', 'amd64', 'gcc-8', '8-20180414-1ubuntu2'],
    // `Source: name`: same version as the binary, epoch included
    ['libc6', '2.27-3ubuntu1', 'amd64', 'glibc', '2.27-3ubuntu1'],
    ['libgmp10', '2:6.1.2+dfsg-2', 'amd64', 'gmp', '2:6.1.2+dfsg-2'],
    // no Source: its own source
    ['bash', '4.4.18-2ubuntu1', 'amd64', 'bash', '4.4.18-2ubuntu1'],
    ['apt', '1.6.3ubuntu0.1', 'amd64', 'apt', '1.6.3ubuntu0.1'],
  ])('%s %s', (name, version, arch, sourceName, sourceVersion) => {
    expect(byName(packages, name)).toEqual({
      type: 'deb',
      name,
      version,
      arch,
      source: { name: sourceName, version: sourceVersion },
      path: STATUS,
    });
  });
});

describe('parseDpkgStatus on a real Debian 12 minbase status file', () => {
  it("gives exactly dpkg-query's rows, source names and versions included", () => {
    const expected = pkgdb('dpkg-debian12-minbase.expected.tsv').split('\n').filter(Boolean).sort();
    const { packages, warnings } = parseDpkgStatus(pkgdb('dpkg-debian12-minbase.status'), STATUS);
    expect(warnings).toEqual([]);
    const rows = packages.map((p) => [p.name, p.version, p.arch, p.source?.name, p.source?.version].join('\t')).sort();
    expect(expected).toHaveLength(100);
    expect(rows).toEqual(expected);
  });
});

describe('parseSourceField', () => {
  it.each([
    [undefined, { name: 'bash', version: '5.2.15-2+b13' }],
    ['', { name: 'bash', version: '5.2.15-2+b13' }],
    ['bash', { name: 'bash', version: '5.2.15-2+b13' }],
    ['bash (5.2.15-2)', { name: 'bash', version: '5.2.15-2' }],
    ['bash (1:5.2.15-2)', { name: 'bash', version: '1:5.2.15-2' }],
    ['bash (5.2', undefined],
    ['bash extra', undefined],
  ])('%j', (field, expected) => {
    expect(parseSourceField(field, 'bash', '5.2.15-2+b13')).toEqual(expected);
  });
});

describe('isInstalledState', () => {
  it.each<[string, boolean | undefined]>([
    ['install ok installed', true],
    ['deinstall ok installed', true],
    ['purge ok installed', true],
    ['install reinstreq half-installed', true],
    ['install ok unpacked', true],
    ['install ok half-configured', true],
    ['install ok triggers-pending', true],
    ['deinstall ok config-files', false],
    ['purge ok not-installed', false],
    ['install ok', undefined],
    ['install ok sideways', undefined],
  ])('%s → %s', (status, expected) => {
    expect(isInstalledState(status)).toBe(expected);
  });
});
