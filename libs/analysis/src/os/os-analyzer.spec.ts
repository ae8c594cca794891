import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { fixturesDir } from '@vulnscan/testing';
import type { AnalyzerResult, OsInfo } from '../model';
import { osAnalyzer } from './os-analyzer';
import { pickOs } from './pick-os';

/** Release files as the distributions ship them (from their official container images). */
const DEBIAN_12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;
const UBUNTU_2204 = `PRETTY_NAME="Ubuntu 22.04.3 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.3 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
`;
const ALPINE_318 = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.18.4
PRETTY_NAME="Alpine Linux v3.18"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`;
const RHEL_9 = `NAME="Red Hat Enterprise Linux"
VERSION="9.3 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"
ANSI_COLOR="0;31"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"
HOME_URL="https://www.redhat.com/"
BUG_REPORT_URL="https://bugzilla.redhat.com/"

REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 9"
REDHAT_BUGZILLA_PRODUCT_VERSION=9.3
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.3"
`;
const ROCKY_9 = `NAME="Rocky Linux"
VERSION="9.2 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.2"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.2 (Blue Onyx)"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
HOME_URL="https://rockylinux.org/"
BUG_REPORT_URL="https://bugs.rockylinux.org/"
`;
const MARINER_2 = `NAME="Common Base Linux Mariner"
VERSION="2.0.20230630"
ID=mariner
VERSION_ID="2.0"
PRETTY_NAME="CBL-Mariner/Linux"
ANSI_COLOR="1;34"
HOME_URL="https://aka.ms/cbl-mariner"
BUG_REPORT_URL="https://aka.ms/cbl-mariner"
SUPPORT_URL="https://aka.ms/cbl-mariner"
`;
/** gcr.io/distroless/*-debian12: written by distroless's build (common/variables.bzl), no VERSION_CODENAME. */
const DISTROLESS_DEBIAN_12 = `PRETTY_NAME="Distroless"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="12"
VERSION="Debian GNU/Linux 12 (bookworm)"
HOME_URL="https://github.com/GoogleContainerTools/distroless"
SUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"
BUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"
`;

async function analyze(filePath: string, text: string | Buffer): Promise<AnalyzerResult> {
  const data = typeof text === 'string' ? Buffer.from(text) : text;
  expect(osAnalyzer.accepts(filePath, data.length, 0o644)).toBe(true);
  return osAnalyzer.analyze({ path: filePath, size: data.length, mode: 0o644, content: Readable.from([data]) });
}

/** Runs every file through the analyzer, as the walker would, and picks the OS. */
async function osOf(files: Record<string, string>): Promise<OsInfo | undefined> {
  const candidates: OsInfo[] = [];
  for (const [filePath, text] of Object.entries(files)) {
    const result = await analyze(filePath, text);
    expect(result.warnings).toBeUndefined();
    if (result.os) candidates.push(result.os);
  }
  return pickOs(candidates);
}

describe('osAnalyzer + pickOs', () => {
  it('Debian 12 bookworm, point release from debian_version', async () => {
    expect(await osOf({ 'etc/os-release': DEBIAN_12, 'etc/debian_version': '12.5\n' })).toEqual({
      id: 'debian',
      family: 'debian',
      version: '12.5',
      codename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      path: 'etc/os-release',
    });
  });

  it("Ubuntu 22.04 jammy, ignoring the debian_version Ubuntu ships ('bookworm/sid')", async () => {
    expect(await osOf({ 'usr/lib/os-release': UBUNTU_2204, 'etc/debian_version': 'bookworm/sid\n' })).toEqual({
      id: 'ubuntu',
      family: 'ubuntu',
      version: '22.04',
      codename: 'jammy',
      prettyName: 'Ubuntu 22.04.3 LTS',
      path: 'usr/lib/os-release',
    });
  });

  it('Alpine 3.18', async () => {
    expect(await osOf({ 'etc/os-release': ALPINE_318, 'etc/alpine-release': '3.18.4\n' })).toEqual({
      id: 'alpine',
      family: 'alpine',
      version: '3.18.4',
      prettyName: 'Alpine Linux v3.18',
      path: 'etc/os-release',
    });
  });

  it('takes the more precise alpine-release version over a shorter VERSION_ID', async () => {
    const shortVersion = ALPINE_318.replace('VERSION_ID=3.18.4', 'VERSION_ID=3.18');
    expect((await osOf({ 'etc/os-release': shortVersion, 'etc/alpine-release': '3.18.4\n' }))?.version).toBe('3.18.4');
  });

  it('keeps os-release when a release file disagrees instead of refining', async () => {
    expect((await osOf({ 'etc/os-release': ALPINE_318, 'etc/alpine-release': '3.19.0\n' }))?.version).toBe('3.18.4');
  });

  it('RHEL 9', async () => {
    const os = await osOf({
      'etc/os-release': RHEL_9,
      'etc/redhat-release': 'Red Hat Enterprise Linux release 9.3 (Plow)\n',
    });
    expect(os).toEqual({
      id: 'rhel',
      family: 'redhat',
      version: '9.3',
      prettyName: 'Red Hat Enterprise Linux 9.3 (Plow)',
      path: 'etc/os-release',
    });
  });

  it('Rocky Linux 9', async () => {
    expect(await osOf({ 'etc/os-release': ROCKY_9 })).toEqual({
      id: 'rocky',
      family: 'redhat',
      version: '9.2',
      prettyName: 'Rocky Linux 9.2 (Blue Onyx)',
      path: 'etc/os-release',
    });
  });

  it('CBL-Mariner 2.0', async () => {
    expect(await osOf({ 'etc/os-release': MARINER_2 })).toEqual({
      id: 'mariner',
      family: 'redhat',
      version: '2.0',
      prettyName: 'CBL-Mariner/Linux',
      path: 'etc/os-release',
    });
  });

  it('distroless Debian: codename from VERSION, point release from debian_version', async () => {
    expect(await osOf({ 'etc/os-release': DISTROLESS_DEBIAN_12, 'etc/debian_version': '12.5\n' })).toEqual({
      id: 'debian',
      family: 'debian',
      version: '12.5',
      codename: 'bookworm',
      prettyName: 'Distroless',
      path: 'etc/os-release',
    });
  });

  it('distroless Debian with debian_version only', async () => {
    expect(await osOf({ 'etc/debian_version': '11.8\n' })).toEqual({
      id: 'debian',
      family: 'debian',
      version: '11.8',
      path: 'etc/debian_version',
    });
  });

  it('etc/os-release wins over usr/lib/os-release', async () => {
    expect((await osOf({ 'usr/lib/os-release': UBUNTU_2204, 'etc/os-release': DEBIAN_12 }))?.id).toBe('debian');
  });

  it('release files alone: CentOS 7 and Amazon Linux 2', async () => {
    expect(await osOf({ 'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n' })).toEqual({
      id: 'centos',
      family: 'redhat',
      version: '7.9.2009',
      codename: 'Core',
      prettyName: 'CentOS Linux release 7.9.2009 (Core)',
      path: 'etc/centos-release',
    });
    expect(await osOf({ 'etc/system-release': 'Amazon Linux release 2 (Karoo)\n' })).toEqual({
      id: 'amzn',
      family: 'redhat',
      version: '2',
      codename: 'Karoo',
      prettyName: 'Amazon Linux release 2 (Karoo)',
      path: 'etc/system-release',
    });
  });

  it('CentOS 7 os-release VERSION_ID "7" refined by centos-release', async () => {
    const os = await osOf({
      'etc/os-release': 'NAME="CentOS Linux"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\n',
      'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n',
    });
    expect(os).toEqual({ id: 'centos', family: 'redhat', version: '7.9.2009', path: 'etc/os-release' });
  });

  it('nothing found → undefined', () => {
    expect(pickOs([])).toBeUndefined();
  });

  it('turns unusable files into warnings, never throws', async () => {
    expect(await analyze('etc/alpine-release', 'edge\n')).toEqual({
      warnings: ['etc/alpine-release: not a recognizable release file'],
    });
    expect(await analyze('etc/redhat-release', '\0\0\0')).toEqual({
      warnings: ['etc/redhat-release: not a recognizable release file'],
    });
    expect(await analyze('etc/os-release', 'garbage\n')).toEqual({
      warnings: ['etc/os-release: line 1: not a KEY=value assignment', 'etc/os-release: neither ID nor NAME; names no distribution'],
    });
    expect(await analyze('etc/os-release', Buffer.alloc(65 * 1024, 0x41))).toEqual({
      warnings: ['etc/os-release: 66560 bytes, over the 65536-byte limit; not read'],
    });
    const failing = new Readable({ read: () => failing.destroy(new Error('layer truncated')) });
    expect(await osAnalyzer.analyze({ path: 'etc/os-release', size: 10, mode: 0o644, content: failing })).toEqual({
      warnings: ['etc/os-release: layer truncated'],
    });
  });

  it('accepts only release files', () => {
    expect(osAnalyzer.accepts('etc/os-release', 100, 0o644)).toBe(true);
    expect(osAnalyzer.accepts('/etc/os-release', 100, 0o644)).toBe(false);
    expect(osAnalyzer.accepts('etc/os-release.d/x', 100, 0o644)).toBe(false);
    expect(osAnalyzer.accepts('usr/etc/os-release', 100, 0o644)).toBe(false);
  });
});

/** Extracts one file of the single-layer alpine:3.10 `docker save` fixture. */
function alpine310File(file: string): Buffer {
  const archive = path.join(fixturesDir(), 'images', 'alpine-310.docker.tar.gz');
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', archive, 'manifest.json']).toString()) as Array<{ Layers: string[] }>;
  return execFileSync('sh', ['-c', 'tar -xzOf "$1" "$2" | tar -xOf - "$3"', 'sh', archive, manifest[0].Layers[0], file]);
}

describe('the alpine-310 image', () => {
  it('is Alpine 3.10.4', async () => {
    const osRelease = await analyze('etc/os-release', alpine310File('etc/os-release'));
    const alpineRelease = await analyze('etc/alpine-release', alpine310File('etc/alpine-release'));
    expect(pickOs([alpineRelease.os!, osRelease.os!])).toEqual({
      id: 'alpine',
      family: 'alpine',
      version: '3.10.4',
      prettyName: 'Alpine Linux v3.10',
      path: 'etc/os-release',
    });
  });
});
