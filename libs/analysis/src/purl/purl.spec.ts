import type { OsInfo, Package } from '../model';
import { purlOf } from './purl';

const debian12: OsInfo = { id: 'debian', family: 'debian', version: '12', codename: 'bookworm', path: 'etc/os-release' };
const alpine: OsInfo = { id: 'alpine', family: 'alpine', version: '3.10.2', path: 'etc/os-release' };
const fedora: OsInfo = { id: 'fedora', family: 'redhat', version: '25', path: 'etc/os-release' };

function pkg(fields: Partial<Package> & Pick<Package, 'type' | 'name' | 'version'>): Package {
  return { path: 'x', ...fields };
}

describe('purlOf', () => {
  it('deb: OS id as namespace, distro from the OS, `+` escaped', () => {
    expect(purlOf(pkg({ type: 'deb', name: 'bash', version: '5.2.15-2+b13', arch: 'amd64' }), debian12)).toBe(
      'pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12',
    );
  });

  it('deb: keeps the epoch in the version; codename when the OS has no version; nothing without an OS', () => {
    const libc6 = pkg({ type: 'deb', name: 'libc6', version: '1:2.36-9+deb12u4', arch: 'arm64' });
    expect(purlOf(libc6, { id: 'debian', family: 'debian', codename: 'trixie', path: 'etc/os-release' })).toBe(
      'pkg:deb/debian/libc6@1:2.36-9%2Bdeb12u4?arch=arm64&distro=trixie',
    );
    expect(purlOf(libc6)).toBe('pkg:deb/libc6@1:2.36-9%2Bdeb12u4?arch=arm64');
  });

  it('apk', () => {
    expect(purlOf(pkg({ type: 'apk', name: 'musl', version: '1.1.22-r3', arch: 'x86_64' }), alpine)).toBe(
      'pkg:apk/alpine/musl@1.1.22-r3?arch=x86_64&distro=3.10.2',
    );
  });

  it('rpm: epoch as a qualifier, never in the version; the name keeps its case', () => {
    const rpm = pkg({
      type: 'rpm',
      name: 'NetworkManager',
      version: '1:1.40.0-1.fc25',
      arch: 'x86_64',
      rpm: { epoch: 1, version: '1.40.0', release: '1.fc25' },
    });
    expect(purlOf(rpm, fedora)).toBe('pkg:rpm/fedora/NetworkManager@1.40.0-1.fc25?arch=x86_64&distro=fedora-25&epoch=1');
    expect(purlOf({ ...rpm, rpm: undefined }, fedora)).toBe(
      'pkg:rpm/fedora/NetworkManager@1.40.0-1.fc25?arch=x86_64&distro=fedora-25&epoch=1',
    );
    expect(purlOf(pkg({ type: 'rpm', name: 'curl', version: '7.50.3-1.fc25', arch: 'i386' }), fedora)).toBe(
      'pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25',
    );
  });

  it('npm: the scope with its @ is the namespace', () => {
    expect(purlOf(pkg({ type: 'npm', namespace: '@babel', name: 'core', version: '7.23.2' }))).toBe('pkg:npm/%40babel/core@7.23.2');
    expect(purlOf(pkg({ type: 'npm', namespace: 'babel', name: 'core', version: '7.23.2' }))).toBe('pkg:npm/%40babel/core@7.23.2');
    expect(purlOf(pkg({ type: 'npm', name: 'JSONStream', version: '1.3.5' }))).toBe('pkg:npm/jsonstream@1.3.5');
  });

  it('pypi: lower case and dashes for underscores, as the purl spec says', () => {
    expect(purlOf(pkg({ type: 'pypi', name: 'Django_Rest_Framework', version: '3.14.0' }))).toBe('pkg:pypi/django-rest-framework@3.14.0');
    expect(purlOf(pkg({ type: 'pypi', name: 'zope.interface', version: '6.1' }))).toBe('pkg:pypi/zope.interface@6.1');
    expect(purlOf(pkg({ type: 'pypi', name: 'torch', version: '2.1.0+cpu' }))).toBe('pkg:pypi/torch@2.1.0%2Bcpu');
  });

  it('golang: module path split at its last slash, case kept; stdlib', () => {
    expect(purlOf(pkg({ type: 'golang', name: 'github.com/gorilla/mux', version: 'v1.8.0' }))).toBe(
      'pkg:golang/github.com/gorilla/mux@v1.8.0',
    );
    expect(purlOf(pkg({ type: 'golang', namespace: 'github.com/BurntSushi', name: 'toml', version: 'v1.3.2' }))).toBe(
      'pkg:golang/github.com/BurntSushi/toml@v1.3.2',
    );
    expect(purlOf(pkg({ type: 'golang', name: 'github.com/docker/docker', version: 'v24.0.7+incompatible' }))).toBe(
      'pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible',
    );
    expect(purlOf(pkg({ type: 'golang', name: 'stdlib', version: '1.21.3' }))).toBe('pkg:golang/stdlib@1.21.3');
  });

  it('maven: groupId as namespace', () => {
    expect(purlOf(pkg({ type: 'maven', namespace: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1' }))).toBe(
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    );
  });
});
