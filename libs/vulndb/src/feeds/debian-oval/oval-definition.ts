import type { Advisory, AffectedPackage, AffectedRange, FeedItem } from '../../model';
import { setIfDefined, skippedItem, unique } from '../util';

/** What the parser collects of one `<definition>`: its metadata and its criteria comments. */
export interface DefinitionDraft {
  /** 1-based position in the document, to name a definition without an id. */
  index: number;
  id?: string;
  class?: string;
  title?: string;
  platforms: string[];
  products: string[];
  references: { source?: string; id?: string; url?: string }[];
  description?: string;
  moreinfo?: string;
  date?: string;
  /** Every `<criterion comment>` under the definition's criteria, in document order. */
  criteria: string[];
  /** A text over the parser's limit: the definition is skipped rather than kept truncated. */
  oversized?: string;
}

/**
 * `<package> DPKG is earlier than <version>`: the only criterion of Debian's definitions that says
 * something about the package (the others are "Debian 12 is installed" and the architecture). The
 * comment carries the same package and version as the test, object and state it refers to (all
 * 25,932 definitions of the bookworm fixture agree), so the definition is complete when its
 * closing tag is read, and nothing needs to be held until the tests and states at the end of the
 * document.
 */
const DPKG_CRITERION = /^(\S+) DPKG is earlier than (\S+)$/;

/**
 * Debian's generator writes version `0` (its state: `less than 0:0`) for a vulnerability the
 * security tracker lists as open in the release: unfixed, so affected in every version. A package
 * the tracker lists as not affected (resolved at version 0) gets no definition at all.
 */
function isUnfixed(version: string): boolean {
  return /^(0:)?0$/.test(version);
}

/** `Debian GNU/Linux 12` → `Debian:12`. */
function ecosystemOf(platform: string): string | undefined {
  const release = /^Debian GNU\/Linux (\d+)$/.exec(platform.trim())?.[1];
  return release ? `Debian:${release}` : undefined;
}

/**
 * One definition as a feed item. `id` is the CVE id (DSA id for the few `patch` definitions, with
 * their CVEs as aliases), `key` is `<id>/<source package>`: one CVE has one definition per source
 * package it affects.
 */
export function definitionItem(draft: DefinitionDraft): FeedItem {
  const location = draft.id ?? `definition #${draft.index}`;
  if (draft.oversized) return skippedItem(location, draft.oversized);

  const titleWords = (draft.title ?? '').split(/\s+/).filter(Boolean);
  const id = titleWords[0] ?? draft.references.find((ref) => ref.id)?.id;
  if (!id) return skippedItem(location, 'no title or reference to take the vulnerability id from');

  const ecosystems = unique(draft.platforms.map(ecosystemOf).filter((eco): eco is string => eco !== undefined));
  if (ecosystems.length === 0) {
    return skippedItem(
      location,
      `no Debian release among the platforms (${draft.platforms.map((p) => JSON.stringify(p)).join(', ') || 'none'})`,
    );
  }

  const rangesByPackage = new Map<string, AffectedRange[]>();
  for (const comment of draft.criteria) {
    const match = DPKG_CRITERION.exec(comment.trim());
    if (!match) continue;
    const [, name, version] = match;
    const range: AffectedRange = isUnfixed(version)
      ? { type: 'ECOSYSTEM', events: [{ introduced: '0' }] }
      : { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] };
    const ranges = rangesByPackage.get(name) ?? [];
    if (!ranges.some((known) => JSON.stringify(known) === JSON.stringify(range))) ranges.push(range);
    rangesByPackage.set(name, ranges);
  }
  if (rangesByPackage.size === 0) return skippedItem(location, 'no "<package> DPKG is earlier than <version>" criterion');

  const product = draft.products[0] ?? titleWords[1] ?? [...rangesByPackage.keys()][0];
  const affected: AffectedPackage[] = ecosystems.flatMap((ecosystem) =>
    [...rangesByPackage].map(([name, ranges]) => ({ ecosystem, name, ranges, versions: [] })),
  );
  const advisory: Advisory = {
    source: 'debian-oval',
    key: `${id}/${product}`,
    id,
    aliases: unique(draft.references.map((ref) => ref.id).filter((ref): ref is string => !!ref && ref !== id)),
    cvss: [],
    references: unique(draft.references.map((ref) => ref.url).filter((url): url is string => !!url)),
    affected,
  };
  describe(advisory, draft);
  if (draft.date && /^\d{4}-\d{2}-\d{2}/.test(draft.date)) advisory.published = draft.date;
  return { kind: 'advisory', advisory };
}

/**
 * A CVE definition's `<description>` is the CVE's own text. A DSA (`patch`) definition's is just
 * "security update", and its `<moreinfo>` holds the advisory's text; CVE definitions that a DSA
 * fixed carry that DSA text in `<moreinfo>` too, kept after their own.
 */
function describe(advisory: Advisory, draft: DefinitionDraft): void {
  const description = draft.description || undefined;
  const moreinfo = draft.moreinfo || undefined;
  if (draft.class === 'patch') {
    setIfDefined(advisory, 'summary', description);
    setIfDefined(advisory, 'details', moreinfo);
    return;
  }
  const details = [description, moreinfo !== description ? moreinfo : undefined].filter(Boolean).join('\n\n');
  setIfDefined(advisory, 'details', details || undefined);
}
