import { versionSchemeFor } from '@vulnscan/versions';
import type { Advisory, AffectedPackage, CvssScore, FeedKind, Severity } from '../model';
import { SEVERITIES } from '../model';
import { severityFromCvss } from '../severity';
import { assess } from './affects';
import { CandidateIndex, type CandidateRecord } from './candidate-index';
import { comparableName, matchKey } from './match-key';
import type { CoverageEntry, Finding, FindingPackage, MatchInput, MatchKey, MatchPackage, MatchResult, SeveritySource } from './types';

/** Coverage's name for packages that have no match key. */
export const UNKNOWN_ECOSYSTEM = 'unknown';

/** One advisory that affects one package instance, its affected entries evaluated together. */
interface Hit {
  feed: string;
  feedKind: FeedKind;
  advisory: Advisory;
  affected: AffectedPackage;
  fixed?: string;
  /** The advisory's id and aliases. */
  ids: string[];
  /** The record's place among the finding's records: lower wins. */
  rank: [number, number, number];
}

interface Instance {
  pkg: MatchPackage;
  key: MatchKey | undefined;
}

/** Strings in code-unit order: the same everywhere, unlike `localeCompare`. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function instanceKey(pkg: MatchPackage): string {
  return [pkg.type, pkg.namespace ?? '', pkg.name, pkg.version, pkg.path, pkg.layerDigest ?? ''].join('\0');
}

function compareInstances(a: MatchPackage, b: MatchPackage): number {
  return (
    compareStrings(a.type, b.type) ||
    compareStrings(a.namespace ?? '', b.namespace ?? '') ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.version, b.version) ||
    compareStrings(a.path, b.path) ||
    compareStrings(a.layerDigest ?? '', b.layerDigest ?? '')
  );
}

function label(pkg: MatchPackage, key: MatchKey): string {
  const name = pkg.namespace ? `${pkg.namespace}/${pkg.name}` : pkg.name;
  const keyed = key.name === name && key.version === pkg.version ? '' : ` (as ${key.name} ${key.version})`;
  return `${key.ecosystem} ${name} ${pkg.version}${keyed} at ${pkg.path}`;
}

/** The distribution's own feed for its releases: it knows its backports and its fixes best. */
function isDistributionFeed(feedKind: FeedKind, ecosystem: string): boolean {
  return (
    (feedKind === 'debian-oval' && ecosystem.startsWith('Debian:')) || (feedKind === 'alpine-secdb' && ecosystem.startsWith('Alpine:'))
  );
}

function compareHits(a: Hit, b: Hit): number {
  return (
    a.rank[0] - b.rank[0] ||
    a.rank[1] - b.rank[1] ||
    a.rank[2] - b.rank[2] ||
    compareStrings(a.advisory.id, b.advisory.id) ||
    compareStrings(a.feed, b.feed) ||
    compareStrings(a.advisory.key, b.advisory.key)
  );
}

/** A severity the record states (for the package, else for the record); `Unknown` says nothing. */
function statedSeverity(hit: Hit): Severity | undefined {
  const severity =
    hit.affected.severity !== 'Unknown' && hit.affected.severity !== undefined ? hit.affected.severity : hit.advisory.severity;
  return severity === 'Unknown' ? undefined : severity;
}

function cvssSeverity(cvss: CvssScore | undefined): Severity | undefined {
  if (cvss === undefined) return undefined;
  const severity = severityFromCvss(cvss);
  return severity === 'Unknown' ? undefined : severity;
}

interface SeverityChoice {
  severity: Severity;
  source: SeveritySource;
  cvss?: CvssScore;
}

/**
 * The winner's stated severity, else its best CVSS vector's; else another merged record's (in
 * rank order, stated before CVSS); else the most severe `severityByAlias` gives for any of the
 * finding's ids; else Unknown.
 */
function chooseSeverity(hits: readonly Hit[], ids: string[], severityByAlias: ReadonlyMap<string, Severity> | undefined): SeverityChoice {
  const [winner, ...others] = hits as readonly [Hit, ...Hit[]];
  const anyCvss = hits.find((hit) => hit.advisory.cvss.length > 0)?.advisory.cvss[0];
  const withCvss = (choice: SeverityChoice): SeverityChoice =>
    choice.cvss === undefined && anyCvss !== undefined ? { ...choice, cvss: anyCvss } : choice;

  const stated = statedSeverity(winner);
  if (stated !== undefined) return withCvss({ severity: stated, source: 'feed' });
  const fromCvss = cvssSeverity(winner.advisory.cvss[0]);
  if (fromCvss !== undefined) return { severity: fromCvss, source: 'cvss', cvss: winner.advisory.cvss[0]! };
  for (const other of others) {
    const otherStated = statedSeverity(other);
    if (otherStated !== undefined) return withCvss({ severity: otherStated, source: 'alias' });
    const otherCvss = cvssSeverity(other.advisory.cvss[0]);
    if (otherCvss !== undefined) return { severity: otherCvss, source: 'alias', cvss: other.advisory.cvss[0]! };
  }
  if (severityByAlias !== undefined) {
    let best: Severity | undefined;
    for (const id of ids) {
      const severity = severityByAlias.get(id);
      if (severity !== undefined && severity !== 'Unknown' && (best === undefined || severityRank(severity) > severityRank(best)))
        best = severity;
    }
    if (best !== undefined) return withCvss({ severity: best, source: 'alias' });
  }
  return withCvss({ severity: 'Unknown', source: 'none' });
}

/**
 * The finding's fixed version. When the distribution's own feed wins, its word stands even when
 * it knows no fix and another record names one (Debian and Alpine decide what ships in their
 * releases; an upstream or OSV fix version may not exist there). Otherwise the winner's fix, else
 * the lowest fix another merged record gives.
 */
function chooseFixed(hits: readonly Hit[], ecosystem: string): string | undefined {
  const winner = hits[0]!;
  if (winner.fixed !== undefined || winner.rank[0] === 0) return winner.fixed;
  const fixes = hits.map((hit) => hit.fixed).filter((fix): fix is string => fix !== undefined);
  if (fixes.length === 0) return undefined;
  const scheme = versionSchemeFor(ecosystem);
  if (scheme !== undefined && fixes.every((fix) => scheme.isValid(fix))) fixes.sort((a, b) => scheme.compare(a, b));
  return fixes[0];
}

function unionFind(size: number): { find(i: number): number; union(a: number, b: number): void } {
  const parent = Array.from({ length: size }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  return {
    find,
    union(a, b) {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    },
  };
}

function findingPackage(pkg: MatchPackage): FindingPackage {
  const out: FindingPackage = { type: pkg.type, name: pkg.name, version: pkg.version, path: pkg.path };
  if (pkg.namespace !== undefined) out.namespace = pkg.namespace;
  if (pkg.purl !== undefined) out.purl = pkg.purl;
  if (pkg.layerDigest !== undefined) out.layerDigest = pkg.layerDigest;
  return out;
}

/** A finding without its package: the same for every instance sharing a match key. */
type FindingTemplate = Omit<Finding, 'package'>;

/** The finding for one group of records, sorted winner first, before it is given its package. */
function buildTemplate(key: MatchKey, hits: readonly Hit[], severityByAlias: ReadonlyMap<string, Severity> | undefined): FindingTemplate {
  const winner = hits[0]!;
  const allIds = new Set<string>();
  for (const hit of hits) for (const id of hit.ids) allIds.add(id);
  const ids = [...allIds].sort(compareStrings);
  const severity = chooseSeverity(hits, ids, severityByAlias);
  const template: FindingTemplate = {
    id: winner.advisory.id,
    aliases: ids.filter((id) => id !== winner.advisory.id),
    feed: winner.feed,
    ecosystem: key.ecosystem,
    matchedName: key.name,
    installedVersion: key.version,
    severity: severity.severity,
    severitySource: severity.source,
    references: [...new Set(hits.flatMap((hit) => hit.advisory.references))],
    sources: [...new Set(hits.map((hit) => hit.advisory.id))].sort(compareStrings),
  };
  const fixed = chooseFixed(hits, key.ecosystem);
  if (fixed !== undefined) template.fixedVersion = fixed;
  if (severity.cvss !== undefined) template.cvss = severity.cvss;
  const summary = hits.find((hit) => hit.advisory.summary !== undefined)?.advisory.summary;
  if (summary !== undefined) template.summary = summary;
  return template;
}

/** The template's finding for one package instance (arrays copied: findings share nothing). */
function findingOf(template: FindingTemplate, pkg: MatchPackage): Finding {
  const finding: Finding = {
    id: template.id,
    aliases: [...template.aliases],
    feed: template.feed,
    package: findingPackage(pkg),
    ecosystem: template.ecosystem,
    matchedName: template.matchedName,
    installedVersion: template.installedVersion,
    severity: template.severity,
    severitySource: template.severitySource,
    references: [...template.references],
    sources: [...template.sources],
  };
  if (template.fixedVersion !== undefined) finding.fixedVersion = template.fixedVersion;
  if (template.cvss !== undefined) finding.cvss = { ...template.cvss };
  if (template.summary !== undefined) finding.summary = template.summary;
  return finding;
}

function hitOf(record: CandidateRecord, ecosystem: string, fixed: string | undefined, priority: ReadonlyMap<string, number>): Hit {
  const { candidate } = record;
  const hit: Hit = {
    feed: candidate.feed,
    feedKind: candidate.feedKind,
    advisory: candidate.advisory,
    affected: record.affected,
    ids: record.ids,
    rank: [
      isDistributionFeed(candidate.feedKind, ecosystem) ? 0 : 1,
      priority.get(candidate.feed) ?? priority.size,
      candidate.advisory.cvss.length > 0 ? 0 : 1,
    ],
  };
  if (fixed !== undefined) hit.fixed = fixed;
  return hit;
}

/** What a match key's version matches: its records, grouped into findings-to-be. */
interface KeyMatches {
  /** One finding each, without the package, in output order (severity descending, then id). */
  templates: FindingTemplate[];
  installedError?: string;
  recordErrors: string[];
}

function matchesOf(
  index: CandidateIndex,
  key: MatchKey,
  priority: ReadonlyMap<string, number>,
  severityByAlias: ReadonlyMap<string, Severity> | undefined,
): KeyMatches {
  const name = comparableName(key.ecosystem, key.name);
  const hits: Hit[] = [];
  const result: KeyMatches = { templates: [], recordErrors: [] };
  for (const record of index.records(key.ecosystem, key.name)) {
    const { candidate, affected } = record;
    // The index files records under their own ecosystem and name; this only guards the invariant.
    if (affected.ecosystem !== key.ecosystem || (affected.name !== key.name && comparableName(affected.ecosystem, affected.name) !== name))
      continue;
    const assessment = assess(affected, key.version);
    result.installedError ??= assessment.installedError;
    for (const error of assessment.recordErrors)
      result.recordErrors.push(`${candidate.feed} ${candidate.advisory.id} (${affected.ecosystem} ${affected.name}): ${error}`);
    if (assessment.affected) hits.push(hitOf(record, key.ecosystem, assessment.fixed, priority));
  }
  if (hits.length === 0) return result;

  // Union-find over the records: two records naming one id are one finding.
  const sets = unionFind(hits.length);
  const firstWithId = new Map<string, number>();
  hits.forEach((hit, i) => {
    for (const id of hit.ids) {
      const seen = firstWithId.get(id);
      if (seen === undefined) firstWithId.set(id, i);
      else sets.union(seen, i);
    }
  });
  const groups = new Map<number, Hit[]>();
  hits.forEach((hit, i) => {
    const root = sets.find(i);
    const group = groups.get(root);
    if (group === undefined) groups.set(root, [hit]);
    else group.push(hit);
  });
  result.templates = [...groups.values()].map((group) => buildTemplate(key, group.sort(compareHits), severityByAlias));
  result.templates.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || compareStrings(a.id, b.id));
  return result;
}

/** How many match keys' results an index remembers across calls before it starts over. */
const MEMO_CAPACITY = 100_000;

interface Memo {
  /** The inputs besides the key that the results depend on. */
  priorityKey: string;
  severityByAlias: ReadonlyMap<string, Severity> | undefined;
  entries: Map<string, KeyMatches>;
}

/**
 * Per reused index, what each match key matched: re-matching thousands of SBOMs built from the
 * same base images meets the same keys over and over. Valid while the index's candidates and the
 * `severityByAlias` map given are not mutated; a different `feedPriority` or map starts afresh.
 */
const memos = new WeakMap<CandidateIndex, Memo>();

function memoFor(
  index: CandidateIndex,
  feedPriority: readonly string[] | undefined,
  severityByAlias: ReadonlyMap<string, Severity> | undefined,
): Map<string, KeyMatches> {
  const priorityKey = (feedPriority ?? []).join('\0');
  let memo = memos.get(index);
  if (
    memo === undefined ||
    memo.priorityKey !== priorityKey ||
    memo.severityByAlias !== severityByAlias ||
    memo.entries.size >= MEMO_CAPACITY
  ) {
    memo = { priorityKey, severityByAlias, entries: new Map() };
    memos.set(index, memo);
  }
  return memo.entries;
}

/**
 * Matches SBOM packages against candidate advisories: each package's match key finds its
 * candidates (ecosystem and name equal, PyPI names normalized; withdrawn records never match),
 * each candidate record is evaluated against the key's version, and the records that affect one
 * package instance and share an id (their ids and aliases intersecting) become one finding.
 *
 * The finding's winner: the distribution's own feed (`debian-oval` for `Debian:*`,
 * `alpine-secdb` for `Alpine:*`) first, then `feedPriority`, then a record with a CVSS vector,
 * then the smallest id. It gives the finding's id, feed and fixed version, and its severity when
 * it has one (see `SeveritySource`).
 *
 * Output: findings by package (type, namespace, name, version, path, layer), then severity
 * descending, then id; coverage by ecosystem with `unknown` last; errors sorted.
 */
export function matchPackages(input: MatchInput): MatchResult {
  const reused = input.candidates instanceof CandidateIndex;
  const index = input.candidates instanceof CandidateIndex ? input.candidates : new CandidateIndex(input.candidates);
  const withData = input.ecosystemsWithData ?? index.ecosystems;
  const priority = new Map<string, number>();
  (input.feedPriority ?? []).forEach((feed, i) => {
    if (!priority.has(feed)) priority.set(feed, i);
  });

  const instances = new Map<string, Instance>();
  for (const pkg of input.packages) {
    const id = instanceKey(pkg);
    if (!instances.has(id)) instances.set(id, { pkg, key: matchKey(pkg, input.os) });
  }
  const ordered = [...instances.values()].sort((a, b) => compareInstances(a.pkg, b.pkg));

  const coverageCounts = new Map<string, number>();
  const findings: Finding[] = [];
  const errors = new Set<string>();
  const byKey = reused ? memoFor(index, input.feedPriority, input.severityByAlias) : new Map<string, KeyMatches>();

  for (const { pkg, key } of ordered) {
    const ecosystem = key?.ecosystem ?? UNKNOWN_ECOSYSTEM;
    coverageCounts.set(ecosystem, (coverageCounts.get(ecosystem) ?? 0) + 1);
    if (key === undefined) continue;

    // Binaries of one source share a key (libssl3, openssl, libssl-dev): evaluate each key once.
    const keyId = `${key.ecosystem}\0${key.name}\0${key.version}`;
    let matched = byKey.get(keyId);
    if (matched === undefined) {
      matched = matchesOf(index, key, priority, input.severityByAlias);
      byKey.set(keyId, matched);
    }
    for (const error of matched.recordErrors) errors.add(error);
    if (matched.installedError !== undefined) errors.add(`${label(pkg, key)}: ${matched.installedError}; version ranges not evaluated`);
    for (const template of matched.templates) findings.push(findingOf(template, pkg));
  }

  const coverage: CoverageEntry[] = [...coverageCounts.entries()]
    .filter(([ecosystem]) => ecosystem !== UNKNOWN_ECOSYSTEM)
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([ecosystem, packages]) => ({ ecosystem, packages, coverage: withData.has(ecosystem) ? 'full' : 'none' }));
  const unknown = coverageCounts.get(UNKNOWN_ECOSYSTEM);
  if (unknown !== undefined) coverage.push({ ecosystem: UNKNOWN_ECOSYSTEM, packages: unknown, coverage: 'none' });

  return { findings, coverage, errors: [...errors].sort(compareStrings) };
}
