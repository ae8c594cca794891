import type { OsInfo, Package } from '@vulnscan/analysis';
import { matchKey, normalizePypiName } from './match-key';
import { ALPINE_318, DEBIAN_12, UBUNTU_2204, deb } from './test-support/records';

const os = (fields: Partial<OsInfo> & Pick<OsInfo, 'id' | 'family'>): OsInfo => ({ path: 'etc/os-release', ...fields });

describe('matchKey', () => {
  describe('deb', () => {
    it('keys Debian packages by major release, source name and source version', () => {
      const libssl = deb('libssl3', '3.0.11-1~deb12u2', { name: 'openssl', version: '3.0.11-1~deb12u2' });
      expect(matchKey(libssl, DEBIAN_12)).toEqual({ ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u2' });
    });

    it('compares the source version of a binNMU, not the binary one', () => {
      const libc = deb('libc6', '2.36-9+deb12u1+b1', { name: 'glibc', version: '2.36-9+deb12u1' });
      expect(matchKey(libc, DEBIAN_12)).toEqual({ ecosystem: 'Debian:12', name: 'glibc', version: '2.36-9+deb12u1' });
    });

    it('uses the package itself when it has no source', () => {
      expect(matchKey(deb('bash', '5.2.15-2+b2'), DEBIAN_12)).toEqual({ ecosystem: 'Debian:12', name: 'bash', version: '5.2.15-2+b2' });
    });

    it('keys distroless Debian (identified from debian_version) the same way', () => {
      const distroless = os({ id: 'debian', family: 'debian', version: '12.5', path: 'etc/debian_version' });
      expect(matchKey(deb('base-files', '12.4+deb12u5'), distroless)?.ecosystem).toBe('Debian:12');
      expect(matchKey(deb('tzdata', '2024a-0+deb11u1'), os({ id: 'debian', family: 'debian', version: '11' }))?.ecosystem).toBe(
        'Debian:11',
      );
    });

    it('falls back to the codename for testing and for derivatives', () => {
      expect(matchKey(deb('bash', '5.2-1'), os({ id: 'debian', family: 'debian', codename: 'trixie' }))?.ecosystem).toBe('Debian:13');
      expect(matchKey(deb('bash', '5.2-1'), os({ id: 'raspbian', family: 'debian', version: '12', codename: 'bookworm' }))?.ecosystem).toBe(
        'Debian:12',
      );
      expect(
        matchKey(deb('bash', '5.2-1'), os({ id: 'kali', family: 'debian', version: '2024.1', codename: 'kali-rolling' })),
      ).toBeUndefined();
      expect(matchKey(deb('bash', '5.2-1'), os({ id: 'debian', family: 'debian' }))).toBeUndefined();
    });

    it('names Ubuntu releases as OSV does, LTS for even-year April releases', () => {
      const pkg = deb('libssl3', '3.0.2-0ubuntu1.15', { name: 'openssl', version: '3.0.2-0ubuntu1.15' });
      expect(matchKey(pkg, UBUNTU_2204)).toEqual({ ecosystem: 'Ubuntu:22.04:LTS', name: 'openssl', version: '3.0.2-0ubuntu1.15' });
      expect(matchKey(pkg, os({ id: 'ubuntu', family: 'ubuntu', version: '23.10' }))?.ecosystem).toBe('Ubuntu:23.10');
      expect(matchKey(pkg, os({ id: 'ubuntu', family: 'ubuntu', version: '23.04' }))?.ecosystem).toBe('Ubuntu:23.04');
      expect(matchKey(pkg, os({ id: 'ubuntu', family: 'ubuntu', version: '24.04' }))?.ecosystem).toBe('Ubuntu:24.04:LTS');
      expect(matchKey(pkg, os({ id: 'ubuntu', family: 'ubuntu', version: '20.04' }))?.ecosystem).toBe('Ubuntu:20.04:LTS');
      // a derivative: its own VERSION_ID says nothing, the Ubuntu codename does
      expect(matchKey(pkg, os({ id: 'linuxmint', family: 'ubuntu', version: '21.2', codename: 'jammy' }))?.ecosystem).toBe(
        'Ubuntu:22.04:LTS',
      );
    });

    it('cannot key deb packages of an unknown or different OS', () => {
      expect(matchKey(deb('bash', '5.2-1'), undefined)).toBeUndefined();
      expect(matchKey(deb('bash', '5.2-1'), os({ id: 'linux', family: 'unknown' }))).toBeUndefined();
      expect(matchKey(deb('bash', '5.2-1'), ALPINE_318)).toBeUndefined();
    });
  });

  describe('apk', () => {
    const busybox: Package = {
      type: 'apk',
      name: 'ssl_client',
      version: '1.36.1-r5',
      source: { name: 'busybox', version: '1.36.1-r5' },
      path: 'lib/apk/db/installed',
    };

    it('keys Alpine packages by minor release and origin', () => {
      expect(matchKey(busybox, ALPINE_318)).toEqual({ ecosystem: 'Alpine:v3.18', name: 'busybox', version: '1.36.1-r5' });
      expect(matchKey(busybox, os({ id: 'alpine', family: 'alpine', version: '3.20' }))?.ecosystem).toBe('Alpine:v3.20');
    });

    it('uses the package itself without an origin, and nothing without Alpine', () => {
      const { source: _source, ...bare } = busybox;
      expect(matchKey(bare, ALPINE_318)).toEqual({ ecosystem: 'Alpine:v3.18', name: 'ssl_client', version: '1.36.1-r5' });
      expect(matchKey(busybox, undefined)).toBeUndefined();
      expect(matchKey(busybox, DEBIAN_12)).toBeUndefined();
    });
  });

  describe('rpm', () => {
    const openssl: Package = {
      type: 'rpm',
      name: 'openssl-libs',
      version: '1:3.0.7-24.el9',
      rpm: { epoch: 1, version: '3.0.7', release: '24.el9', sourceRpm: 'openssl-3.0.7-24.el9.src.rpm' },
      path: 'var/lib/rpm/rpmdb.sqlite',
    };

    it('keys by distribution, source rpm name and the full epoch:version-release', () => {
      const rhel = os({ id: 'rhel', family: 'redhat', version: '9.3' });
      expect(matchKey(openssl, rhel)).toEqual({ ecosystem: 'Red Hat', name: 'openssl', version: '1:3.0.7-24.el9' });
      expect(matchKey({ ...openssl, source: { name: 'openssl', version: '1:3.0.7-24.el9' } }, rhel)?.name).toBe('openssl');
      const { rpm: _rpm, ...noSource } = openssl;
      expect(matchKey(noSource, rhel)?.name).toBe('openssl-libs');
    });

    it.each([
      ['centos', 'redhat', '7', 'Red Hat'],
      ['almalinux', 'redhat', '9.3', 'AlmaLinux:9'],
      ['rocky', 'redhat', '8.9', 'Rocky Linux:8'],
      ['mariner', 'redhat', '2.0', 'Mariner:2.0'],
      ['azurelinux', 'redhat', '3.0', 'Mariner:3.0'],
      ['opensuse-leap', 'unknown', '15.5', 'openSUSE'],
      ['sles', 'unknown', '15.5', 'SUSE'],
    ] as const)('keys %s as %s', (id, family, version, ecosystem) => {
      expect(matchKey(openssl, os({ id, family, version }))?.ecosystem).toBe(ecosystem);
    });

    it('cannot key rpms of an unknown distribution', () => {
      expect(matchKey(openssl, undefined)).toBeUndefined();
      expect(matchKey(openssl, os({ id: 'linux', family: 'unknown' }))).toBeUndefined();
    });
  });

  describe('language packages', () => {
    it('npm: the scope joins the name', () => {
      expect(matchKey({ type: 'npm', namespace: '@babel', name: 'core', version: '7.22.0', path: 'a/package.json' }, undefined)).toEqual({
        ecosystem: 'npm',
        name: '@babel/core',
        version: '7.22.0',
      });
      expect(matchKey({ type: 'npm', name: 'lodash', version: '4.17.20', path: 'b/package.json' }, DEBIAN_12)?.name).toBe('lodash');
    });

    it('PyPI: names are PEP 503-normalized', () => {
      expect(matchKey({ type: 'pypi', name: 'Zope.Interface__x', version: '6.0', path: 'p/METADATA' }, undefined)).toEqual({
        ecosystem: 'PyPI',
        name: 'zope-interface-x',
        version: '6.0',
      });
      expect(normalizePypiName('Django')).toBe('django');
      expect(normalizePypiName('ruamel.yaml')).toBe('ruamel-yaml');
    });

    it('Go: the module path joined, versions without v, and the toolchain as stdlib', () => {
      expect(
        matchKey({ type: 'golang', namespace: 'github.com/gin-gonic', name: 'gin', version: 'v1.9.1', path: 'bin/app' }, undefined),
      ).toEqual({
        ecosystem: 'Go',
        name: 'github.com/gin-gonic/gin',
        version: '1.9.1',
      });
      expect(matchKey({ type: 'golang', name: 'stdlib', version: '1.21.3', path: 'bin/app' }, undefined)).toEqual({
        ecosystem: 'Go',
        name: 'stdlib',
        version: '1.21.3',
      });
      // go1.21 and go1.21rc2 as the analyzer records them, in the SemVer form OSV ranges use
      expect(matchKey({ type: 'golang', name: 'stdlib', version: '1.21', path: 'bin/app' }, undefined)?.version).toBe('1.21.0');
      expect(matchKey({ type: 'golang', name: 'stdlib', version: '1.21rc2', path: 'bin/app' }, undefined)?.version).toBe('1.21.0-rc.2');
    });

    it('Maven: groupId:artifactId', () => {
      expect(
        matchKey(
          { type: 'maven', namespace: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1', path: 'app.jar' },
          undefined,
        ),
      ).toEqual({ ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1' });
    });
  });
});
