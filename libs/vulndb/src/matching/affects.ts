import { semver, versionSchemeFor, type VersionScheme } from '@vulnscan/versions';
import type { AffectedPackage, AffectedRange } from '../model';
import type { AffectsResult } from './types';

/**
 * OSV writes `introduced: "0"` for "from the very first version", which npm, Maven and others
 * cannot parse: in any event, for every scheme, `"0"` is the lowest version there is.
 */
const LOWEST = '0';

type EventKind = 'introduced' | 'last_affected' | 'fixed' | 'limit';

/** At one version, an introduction comes first, so `introduced: X` with `fixed: X` affects nothing. */
const KIND_ORDER: Readonly<Record<EventKind, number>> = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 };

interface Event {
  kind: EventKind;
  version: string;
}

/** A range's events in version order, or why they cannot be ordered. */
type PreparedRange =
  { scheme: VersionScheme; events: readonly Event[]; error?: undefined } | { scheme?: undefined; events?: undefined; error: string };

/** An affected entry made ready for evaluation: its ranges sorted once, its own errors found once. */
interface PreparedEntry {
  /** The ecosystem it was prepared for: an entry whose ecosystem changes is prepared again. */
  ecosystem: string;
  /** The ecosystem's scheme, for the versions list. */
  scheme: VersionScheme | undefined;
  versions: readonly string[];
  ranges: readonly PreparedRange[];
  /** Why ranges of the entry cannot be evaluated, whatever the version. */
  errors: readonly string[];
}

/**
 * Entries are evaluated for many versions (every package of every SBOM): prepare each once.
 * Keyed by identity, so entries are taken as immutable once matched.
 */
const preparedEntries = new WeakMap<AffectedPackage, PreparedEntry>();

/** The scheme's own message for a version it rejects, or undefined when it accepts it. */
function invalidVersion(scheme: VersionScheme, version: string): string | undefined {
  if (version === LOWEST || scheme.isValid(version)) return undefined;
  try {
    scheme.compare(version, version);
  } catch (err) {
    if (err instanceof Error) return err.message;
  }
  return `invalid ${scheme.name} version ${JSON.stringify(version)}`;
}

/** Compares two versions of which either may be the `"0"` sentinel; both otherwise valid. */
function compareVersions(scheme: VersionScheme, a: string, b: string): number {
  if (a === b) return 0;
  if (a === LOWEST) return -1;
  if (b === LOWEST) return 1;
  return scheme.compare(a, b);
}

function eventOf(raw: AffectedRange['events'][number]): Event | undefined {
  if (raw.introduced !== undefined) return { kind: 'introduced', version: raw.introduced };
  if (raw.fixed !== undefined) return { kind: 'fixed', version: raw.fixed };
  if (raw.last_affected !== undefined) return { kind: 'last_affected', version: raw.last_affected };
  if (raw.limit !== undefined) return { kind: 'limit', version: raw.limit };
  return undefined;
}

function prepareRange(range: AffectedRange, ecosystem: string, ecosystemScheme: VersionScheme | undefined): PreparedRange {
  const scheme = range.type === 'SEMVER' ? semver : ecosystemScheme;
  if (scheme === undefined) return { error: `no version ordering is known for ecosystem ${JSON.stringify(ecosystem)}` };
  const events = range.events.map(eventOf).filter((event): event is Event => event !== undefined);
  for (const event of events) {
    const reason = invalidVersion(scheme, event.version);
    if (reason !== undefined) return { error: `${range.type} range event ${event.kind}: ${reason}` };
  }
  events.sort((a, b) => compareVersions(scheme, a.version, b.version) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  return { scheme, events };
}

function prepare(affected: AffectedPackage): PreparedEntry {
  const cached = preparedEntries.get(affected);
  if (cached !== undefined && cached.ecosystem === affected.ecosystem) return cached;
  const scheme = versionSchemeFor(affected.ecosystem);
  const ranges = affected.ranges.map((range) => prepareRange(range, affected.ecosystem, scheme));
  const errors = [...new Set(ranges.flatMap((range) => (range.error === undefined ? [] : [range.error])))];
  const entry: PreparedEntry = { ecosystem: affected.ecosystem, scheme, versions: affected.versions, ranges, errors };
  preparedEntries.set(affected, entry);
  return entry;
}

/**
 * Whether `version` (valid for the range's scheme) lies in the range, walking the events in
 * order up to it: an introduction switches "affected" on, a fix at or below it switches it off,
 * a last_affected below it too, and a limit at or below it rules out the rest of the range.
 * -1 when it is not; else the index of the first fixed event above it, `events.length` for none.
 */
function inRange(scheme: VersionScheme, events: readonly Event[], version: string): number {
  let affected = false;
  let index = 0;
  for (; index < events.length; index++) {
    const event = events[index]!;
    const cmp = compareVersions(scheme, version, event.version);
    if (cmp < 0) break;
    if (event.kind === 'introduced') affected = true;
    else if (event.kind === 'fixed') affected = false;
    else if (event.kind === 'last_affected') affected = affected && cmp === 0;
    else return -1; // at or above a limit
  }
  if (!affected) return -1;
  for (; index < events.length; index++) {
    const kind = events[index]!.kind;
    if (kind === 'fixed') return index;
    if (kind !== 'introduced') break;
  }
  return events.length;
}

/** Whether the versions list names `version`. */
function listed(entry: PreparedEntry, version: string): boolean {
  const scheme = entry.scheme;
  for (const candidate of entry.versions) {
    if (candidate === version) return true;
    if (scheme !== undefined && scheme.isValid(candidate) && scheme.isValid(version) && scheme.compare(candidate, version) === 0)
      return true;
  }
  return false;
}

/** `affects` with its errors kept apart: the installed version's, and the record's own. */
export interface Assessment {
  affected: boolean;
  fixed?: string;
  /** The installed version's rejection by a range's scheme (those ranges were not evaluated). */
  installedError?: string;
  /** Why ranges of the entry cannot be evaluated, whatever the version. */
  recordErrors: readonly string[];
}

/** Whether any range (or the versions list) affects `version`; fixes of affecting ranges into `fixes` when given. */
function evaluate(entry: PreparedEntry, version: string, fixes: string[] | undefined): { affected: boolean; installedError?: string } {
  let affected = entry.versions.length > 0 && listed(entry, version);
  let installedError: string | undefined;
  for (const range of entry.ranges) {
    if (range.error !== undefined) continue;
    const invalid = invalidVersion(range.scheme, version);
    if (invalid !== undefined) {
      installedError ??= invalid;
      continue;
    }
    const next = inRange(range.scheme, range.events, version);
    if (next < 0) continue;
    affected = true;
    if (fixes === undefined) break;
    if (next < range.events.length) fixes.push(range.events[next]!.version);
  }
  return installedError === undefined ? { affected } : { affected, installedError };
}

export function assess(affected: AffectedPackage, version: string): Assessment {
  const entry = prepare(affected);
  const fixes: string[] = [];
  const evaluation = evaluate(entry, version, fixes);
  const result: Assessment = { affected: evaluation.affected, recordErrors: entry.errors };
  if (evaluation.installedError !== undefined) result.installedError = evaluation.installedError;
  if (evaluation.affected && fixes.length > 0) result.fixed = pickFix(entry, fixes);
  return result;
}

/**
 * Whether `version` of the package is affected, evaluated as OSV specifies: listed in `versions`
 * (equal by the ecosystem's ordering, by string when it cannot parse), or inside an ECOSYSTEM
 * range (the ecosystem's ordering) or a SEMVER range. `fixed` is the smallest fixed version above
 * `version` in the ranges that affect it that no range affects; failing that, the smallest such
 * fixed version. A version (installed, or of an event) the ordering rejects makes that range
 * unusable: reported in `error`, never thrown; other ranges (and the versions list) still count.
 */
export function affects(affected: AffectedPackage, version: string): AffectsResult {
  const assessment = assess(affected, version);
  const errors =
    assessment.installedError === undefined
      ? assessment.recordErrors
      : [`installed version: ${assessment.installedError}`, ...assessment.recordErrors];
  const result: AffectsResult = { affected: assessment.affected };
  if (assessment.fixed !== undefined) result.fixed = assessment.fixed;
  if (errors.length > 0) result.error = errors.join('; ');
  return result;
}

function pickFix(entry: PreparedEntry, fixes: string[]): string {
  if (fixes.length === 1) return fixes[0]!;
  // Fixes of SEMVER and ECOSYSTEM ranges may mix: order them by the ecosystem's scheme when it
  // can, else keep them in range order.
  const scheme = entry.scheme ?? semver;
  const unique = [...new Set(fixes)];
  if (unique.every((fix) => fix === LOWEST || scheme.isValid(fix))) unique.sort((a, b) => compareVersions(scheme, a, b));
  for (const fix of unique) if (!evaluate(entry, fix, undefined).affected) return fix;
  return unique[0]!;
}
