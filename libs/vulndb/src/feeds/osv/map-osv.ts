import type { Advisory, AffectedPackage, AffectedRange, CvssScore, FeedItem, RangeEvent, Severity } from '../../model';
import { compareCvssType, normalizeSeverity, parseCvss, severityFromCvss } from '../../severity';
import { isObject, parseJson, setIfDefined, skippedItem, unique } from '../util';
import { osvSchemaViolation } from './osv-validator';

/** The parts of a record valid against the OSV schema that the model keeps. */
interface OsvSeverity {
  type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'Ubuntu';
  score: string;
}

interface OsvRange {
  type: 'GIT' | 'SEMVER' | 'ECOSYSTEM';
  events: RangeEvent[];
}

interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  severity?: OsvSeverity[] | null;
  ranges?: OsvRange[];
  versions?: string[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

interface OsvRecord {
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[] | null;
  summary?: string;
  details?: string;
  severity?: OsvSeverity[] | null;
  affected?: OsvAffected[] | null;
  references?: { url: string }[] | null;
  database_specific?: Record<string, unknown>;
}

/**
 * One OSV JSON document as a feed item: the advisory, or the reason it was skipped (not JSON,
 * not valid against the OSV schema). `location` names it in the skipped record.
 */
export function parseOsvDocument(data: Buffer | string, location: string): FeedItem {
  const parsed = parseJson(data);
  return parsed.ok ? osvRecordItem(parsed.value, location) : skippedItem(location, `invalid JSON: ${parsed.error}`);
}

/** A parsed JSON value as a feed item: the advisory, or skipped when it is no valid OSV record. */
export function osvRecordItem(record: unknown, location: string): FeedItem {
  dropGitRanges(record);
  const violation = osvSchemaViolation(record);
  if (violation) return skippedItem(location, `not a valid OSV record: ${violation}`);
  return { kind: 'advisory', advisory: osvToAdvisory(record as OsvRecord) };
}

/**
 * GIT ranges are removed before validation, not after: matching never reads them, and real
 * records carry GIT ranges the schema rejects (PyPI advisories with abbreviated commit hashes or
 * `….patch` names as `fixed`), which would otherwise cost their valid ECOSYSTEM ranges too.
 */
function dropGitRanges(record: unknown): void {
  if (!isObject(record) || !Array.isArray(record['affected'])) return;
  for (const affected of record['affected']) {
    if (isObject(affected) && Array.isArray(affected['ranges'])) {
      affected['ranges'] = affected['ranges'].filter((range) => !(isObject(range) && range['type'] === 'GIT'));
    }
  }
}

/** Maps a record already valid against the OSV schema. */
function osvToAdvisory(record: OsvRecord): Advisory {
  const ubuntu = ubuntuSeverity(record.severity);
  const advisory: Advisory = {
    source: 'osv',
    key: record.id,
    id: record.id,
    aliases: unique((record.aliases ?? []).filter((alias) => alias !== record.id)),
    cvss: cvssScores(record.severity),
    references: unique((record.references ?? []).map((ref) => ref.url)),
    affected: (record.affected ?? []).flatMap((affected) => affectedPackage(affected) ?? []),
  };
  setIfDefined(advisory, 'summary', record.summary);
  setIfDefined(advisory, 'details', record.details);
  setIfDefined(advisory, 'published', record.published);
  setIfDefined(advisory, 'modified', record.modified);
  setIfDefined(advisory, 'withdrawn', record.withdrawn);
  setIfDefined(advisory, 'severity', severityWord(record.database_specific) ?? ubuntu);
  return advisory;
}

/**
 * Undefined for an entry matching can never use: no package, or nothing but GIT ranges. The
 * record is kept without it (its ids and severity still serve other records).
 */
function affectedPackage(affected: OsvAffected): AffectedPackage | undefined {
  const pkg = affected.package;
  if (!pkg) return undefined;
  const ranges: AffectedRange[] = (affected.ranges ?? [])
    .filter((range): range is OsvRange & { type: 'ECOSYSTEM' | 'SEMVER' } => range.type === 'ECOSYSTEM' || range.type === 'SEMVER')
    .map((range) => ({ type: range.type, events: range.events.map(event) }));
  const versions = affected.versions ?? [];
  if (ranges.length === 0 && versions.length === 0) return undefined;
  const result: AffectedPackage = { ecosystem: pkg.ecosystem, name: pkg.name, ranges, versions: [...versions] };
  setIfDefined(result, 'purl', pkg.purl);
  const cvss = cvssScores(affected.severity);
  setIfDefined(
    result,
    'severity',
    severityWord(affected.ecosystem_specific) ??
      severityWord(affected.database_specific) ??
      ubuntuSeverity(affected.severity) ??
      (cvss.length > 0 ? severityFromCvss(cvss[0]) : undefined),
  );
  return result;
}

/** The schema lets an event carry exactly one of these. */
function event(raw: RangeEvent): RangeEvent {
  if (raw.introduced !== undefined) return { introduced: raw.introduced };
  if (raw.fixed !== undefined) return { fixed: raw.fixed };
  if (raw.last_affected !== undefined) return { last_affected: raw.last_affected };
  return { limit: raw.limit };
}

/** Scored vectors, newest CVSS version first. A vector that cannot be scored is dropped, not the record. */
function cvssScores(severity: OsvSeverity[] | null | undefined): CvssScore[] {
  const scores: CvssScore[] = [];
  for (const entry of severity ?? []) {
    if (entry.type === 'Ubuntu') continue;
    const parsed = parseCvss(entry.score);
    // OSV's type and the vector's prefix must agree, or the vector is not what the record says.
    if (parsed && parsed.type === entry.type) scores.push(parsed);
  }
  return scores.sort(compareCvssType);
}

/** GHSA and others put a word in `database_specific.severity` (`MODERATE`), or `ecosystem_specific`. */
function severityWord(specific: Record<string, unknown> | undefined): Severity | undefined {
  const word = specific?.['severity'];
  return typeof word === 'string' ? normalizeSeverity(word) : undefined;
}

/** Ubuntu's OSV records state their priority as a `severity` entry of type Ubuntu. */
function ubuntuSeverity(severity: OsvSeverity[] | null | undefined): Severity | undefined {
  const word = severity?.find((entry) => entry.type === 'Ubuntu')?.score;
  return word === undefined ? undefined : normalizeSeverity(word);
}
