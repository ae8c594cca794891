import { apk } from './apk';
import { dpkg } from './dpkg';
import { SCHEME_NAMES, schemeByName, versionSchemeFor } from './ecosystems';
import { go } from './go';
import { maven } from './maven';
import { npm } from './npm';
import { pypi } from './pypi';
import { rpm } from './rpm';
import { semver } from './semver';

describe('versionSchemeFor', () => {
  it.each([
    ['Debian', dpkg],
    ['Debian:12', dpkg],
    ['Ubuntu', dpkg],
    ['Ubuntu:22.04:LTS', dpkg],
    ['Ubuntu:Pro:18.04:LTS', dpkg],
    ['Alpine', apk],
    ['Alpine:v3.18', apk],
    ['Red Hat', rpm],
    ['Red Hat:enterprise_linux:9::appstream', rpm],
    ['AlmaLinux', rpm],
    ['AlmaLinux:9', rpm],
    ['Rocky Linux', rpm],
    ['Rocky Linux:8', rpm],
    ['Mariner', rpm],
    ['Mariner:2.0', rpm],
    ['openSUSE', rpm],
    ['openSUSE:Leap 15.5', rpm],
    ['SUSE', rpm],
    ['SUSE:Linux Enterprise Server 15 SP5', rpm],
    ['npm', npm],
    ['PyPI', pypi],
    ['Go', go],
    ['Maven', maven],
    ['crates.io', semver],
  ])('%s', (ecosystem, scheme) => {
    expect(versionSchemeFor(ecosystem)).toBe(scheme);
  });

  it.each(['', 'debian', 'NPM', 'RubyGems', 'NuGet', 'Packagist', 'Hex', ':Debian', 'Debian 12'])('has nothing for %j', (ecosystem) => {
    expect(versionSchemeFor(ecosystem)).toBeUndefined();
  });
});

describe('schemeByName', () => {
  it('knows every CLI name', () => {
    expect(SCHEME_NAMES.map((name) => schemeByName(name)?.name)).toEqual(['dpkg', 'apk', 'rpm', 'npm', 'pypi', 'go', 'maven', 'semver']);
  });

  it('also answers to the schemes own names', () => {
    expect(schemeByName('dpkg')).toBe(dpkg);
    expect(schemeByName('apk')).toBe(apk);
  });

  it.each(['', 'Debian', 'ubuntu', 'cargo', 'toString', '__proto__'])('has nothing for %j', (name) => {
    expect(schemeByName(name)).toBeUndefined();
  });
});
