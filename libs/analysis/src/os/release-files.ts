import type { OsInfo } from '../model';
import { compact } from './os-release';

function firstLine(text: string): string {
  return (text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '').trim();
}

/** `etc/alpine-release` holds the full release (`3.18.4`), where os-release may only say `3.18`. */
export function parseAlpineRelease(text: string, path: string): OsInfo | undefined {
  const version = firstLine(text);
  if (!/^\d+\.\d+/.test(version)) return undefined;
  return compact({ id: 'alpine', family: 'alpine', version, path });
}

/**
 * `etc/debian_version` holds the point release (`12.5`) on stable Debian, but `trixie/sid` on
 * testing, unstable and every Ubuntu: only a numeric value is a version; anything else still says
 * "Debian-based" (the distroless case, where it may be the only release file) without a version.
 */
export function parseDebianVersion(text: string, path: string): OsInfo | undefined {
  const value = firstLine(text);
  if (value === '') return undefined;
  return compact({
    id: 'debian',
    family: 'debian',
    version: /^\d+(\.\d+)*$/.test(value) ? value : undefined,
    path,
  });
}

/** Distribution names as they start `etc/redhat-release` lines, mapped to their os-release IDs. */
const REDHAT_RELEASE_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/^Red Hat Enterprise Linux/i, 'rhel'],
  [/^CentOS/i, 'centos'],
  [/^Rocky Linux/i, 'rocky'],
  [/^AlmaLinux/i, 'almalinux'],
  [/^Fedora/i, 'fedora'],
  [/^Oracle Linux/i, 'ol'],
  [/^Amazon Linux/i, 'amzn'],
  [/^CBL-Mariner/i, 'mariner'],
];

/**
 * `etc/redhat-release`, `etc/centos-release`, `etc/system-release`: one line such as
 * `Rocky Linux release 9.2 (Blue Onyx)` or `CentOS Linux release 7.9.2009 (Core)`.
 */
export function parseRedhatRelease(text: string, path: string): OsInfo | undefined {
  const line = firstLine(text);
  const match = line.match(/^(.+?)\s+release\s+(\d[^\s()]*)(?:\s*\(([^)]*)\))?/i);
  if (!match) return undefined;
  const [, name, version, codename] = match;
  const id = REDHAT_RELEASE_NAMES.find(([pattern]) => pattern.test(name))?.[1] ?? name.split(/\s+/)[0].toLowerCase();
  return compact({ id, family: 'redhat', version, codename: codename?.trim() || undefined, prettyName: line, path });
}
