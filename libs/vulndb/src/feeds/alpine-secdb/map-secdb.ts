import type { Advisory, AffectedRange, FeedItem } from '../../model';
import { isObject, skippedItem, unique } from '../util';

/** The fields of an Alpine secdb document (`https://secdb.alpinelinux.org/<release>/<repo>.json`) that are read. */
export interface SecdbDocument {
  distroversion: string;
  reponame: string;
  packages: unknown[];
}

/** Why `doc` is not a secdb document at all, or undefined when it is one. */
export function secdbDocumentProblem(doc: unknown): string | undefined {
  if (!isObject(doc)) return 'not a JSON object';
  for (const field of ['distroversion', 'reponame'] as const) {
    if (typeof doc[field] !== 'string' || doc[field] === '') return `no "${field}" string`;
    if (/[/\s]/.test(doc[field] as string)) return `"${field}" ${JSON.stringify(doc[field])} is not a release or repository name`;
  }
  if (!Array.isArray(doc['packages'])) return 'no "packages" array';
  return undefined;
}

/** Alpine's secdb says "never affected" with a fixed version of 0. */
const NOT_AFFECTED = '0';

/** One vulnerability of one package, merged over every fixed version the package lists it under. */
interface Fix {
  name: string;
  id: string;
  aliases: string[];
  /** Empty when the package lists the vulnerability under `0` only. */
  fixedVersions: string[];
}

export interface SecdbResult {
  items: FeedItem[];
  /** Vulnerabilities listed only under fixed version `0`: no advisory, and no error either. */
  notAffected: number;
}

/**
 * The advisories of one secdb document: one per (package, vulnerability), with one range per
 * fixed version. A package may list one vulnerability under several fixed versions (a fix that
 * took more than one release: intel-ucode, xen); the union of `<fixed1`, `<fixed2` ranges is
 * "affected below the latest fix", which matching can evaluate without comparing apk versions
 * here. Bad package entries are skipped; `location` names the document in them.
 */
export function secdbAdvisories(doc: SecdbDocument, location: string): SecdbResult {
  const items: FeedItem[] = [];
  const fixes = new Map<string, Fix>();
  doc.packages.forEach((entry, index) => {
    const where = `${location}#packages[${index}]`;
    const pkg = isObject(entry) ? entry['pkg'] : undefined;
    if (!isObject(pkg) || typeof pkg['name'] !== 'string' || pkg['name'].trim() === '') {
      items.push(skippedItem(where, 'no "pkg.name"'));
      return;
    }
    const name = pkg['name'].trim();
    const secfixes = pkg['secfixes'];
    if (secfixes === undefined || secfixes === null) return;
    if (!isObject(secfixes)) {
      items.push(skippedItem(`${where} (${name})`, '"secfixes" is not an object'));
      return;
    }
    for (const [fixedVersion, listed] of Object.entries(secfixes)) {
      const fixWhere = `${where} (${name}) secfixes[${JSON.stringify(fixedVersion)}]`;
      if (fixedVersion.trim() === '' || /\s/.test(fixedVersion.trim())) {
        items.push(skippedItem(fixWhere, 'not a version'));
        continue;
      }
      if (!Array.isArray(listed)) {
        items.push(skippedItem(fixWhere, 'not a list of vulnerability ids'));
        continue;
      }
      for (const text of listed) {
        const ids = typeof text === 'string' ? vulnerabilityIds(text) : [];
        if (ids.length === 0) {
          items.push(skippedItem(fixWhere, `no vulnerability id in ${JSON.stringify(text)}`));
          continue;
        }
        addFix(fixes, name, ids, fixedVersion.trim());
      }
    }
  });

  let notAffected = 0;
  for (const fix of fixes.values()) {
    if (fix.fixedVersions.length === 0) notAffected++;
    else items.push({ kind: 'advisory', advisory: advisory(doc, fix) });
  }
  return { items, notAffected };
}

function addFix(fixes: Map<string, Fix>, name: string, ids: string[], fixedVersion: string): void {
  const id = ids.find((candidate) => CVE.test(candidate)) ?? ids[0];
  const key = `${name}\u0000${id}`;
  let fix = fixes.get(key);
  if (!fix) {
    fix = { name, id, aliases: [], fixedVersions: [] };
    fixes.set(key, fix);
  }
  fix.aliases = unique([...fix.aliases, ...ids.filter((alias) => alias !== id)]);
  // A version of 0 next to a real one contradicts itself; the real fix wins, as the safer reading.
  if (fixedVersion !== NOT_AFFECTED && !fix.fixedVersions.includes(fixedVersion)) fix.fixedVersions.push(fixedVersion);
}

function advisory(doc: SecdbDocument, fix: Fix): Advisory {
  const ranges: AffectedRange[] = fix.fixedVersions.map((fixed) => ({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }));
  return {
    source: 'alpine-secdb',
    key: `${doc.distroversion}/${doc.reponame}/${fix.name}/${fix.id}`,
    id: fix.id,
    aliases: fix.aliases,
    cvss: [],
    references: [],
    affected: [{ ecosystem: `Alpine:${doc.distroversion}`, name: fix.name, ranges, versions: [] }],
  };
}

const CVE = /^CVE-\d{4}-\d{4,}$/;
/** A vulnerability id: a prefix and dash-separated parts (`CVE-2020-1234`, `XSA-312`, `GHSA-…`), or letters and digits (`VSV00010`). */
const ID = /^(?:[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9._:]+)+|[A-Za-z]+\d+)$/;

/**
 * The ids in one secfixes entry. Entries are mostly one CVE, but some name several ids
 * (`CVE-2018-7540 XSA-252`), add a comment in parentheses (`CVE-2018-14468 (FrameRelay)`), or
 * hold placeholders for an id not yet assigned (`CVE-????-????? XSA-312`, `CVE N/A ZBX-11023`),
 * which are not ids.
 */
export function vulnerabilityIds(text: string): string[] {
  const ids: string[] = [];
  for (const token of text.trim().split(/\s+/)) {
    if (token.startsWith('(')) break;
    if (ID.test(token)) ids.push(token);
  }
  return unique(ids);
}
