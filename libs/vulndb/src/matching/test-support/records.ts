import type { OsInfo } from '@vulnscan/analysis';
import type { Advisory, AffectedPackage, CvssScore, FeedKind, RangeEvent } from '../../model';
import type { Candidate, MatchPackage } from '../types';

/** An OSV-shaped advisory: only `id` and `affected` are needed, the rest defaults to empty. */
export function advisory(fields: Partial<Advisory> & Pick<Advisory, 'id' | 'affected'>): Advisory {
  return { source: 'osv', key: fields.id, aliases: [], cvss: [], references: [], ...fields };
}

/** One affected package with one ECOSYSTEM range of `events` (none when empty) and a versions list. */
export function affected(ecosystem: string, name: string, events: RangeEvent[], versions: string[] = []): AffectedPackage {
  return { ecosystem, name, ranges: events.length > 0 ? [{ type: 'ECOSYSTEM', events }] : [], versions };
}

/** `introduced: 0` up to `fixed` (or never fixed). */
export function fixedIn(ecosystem: string, name: string, fixed?: string): AffectedPackage {
  return affected(ecosystem, name, fixed === undefined ? [{ introduced: '0' }] : [{ introduced: '0' }, { fixed }]);
}

/** One candidate per affected entry of the advisory, as the caller's database query yields them. */
export function candidates(adv: Advisory, feed: string = adv.source, feedKind: FeedKind = adv.source): Candidate[] {
  return adv.affected.map((entry) => ({ feed, feedKind, advisory: adv, affected: entry }));
}

export const CVSS_CRITICAL: CvssScore = { type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 };
export const CVSS_MEDIUM: CvssScore = { type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 5.9 };

export const DEBIAN_12: OsInfo = { id: 'debian', family: 'debian', version: '12.5', codename: 'bookworm', path: 'etc/os-release' };
export const UBUNTU_2204: OsInfo = { id: 'ubuntu', family: 'ubuntu', version: '22.04', codename: 'jammy', path: 'etc/os-release' };
export const ALPINE_318: OsInfo = { id: 'alpine', family: 'alpine', version: '3.18.4', path: 'etc/alpine-release' };

export function deb(name: string, version: string, source?: { name: string; version: string }): MatchPackage {
  return { type: 'deb', name, version, path: 'var/lib/dpkg/status', ...(source ? { source } : {}) };
}
