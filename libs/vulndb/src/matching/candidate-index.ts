import type { AffectedPackage } from '../model';
import { comparableName } from './match-key';
import type { Candidate } from './types';

/**
 * One advisory's entries for one package name, ready to evaluate: the candidates of one record
 * (same feed, source and key) that name the same package are evaluated as one affected entry.
 */
export interface CandidateRecord {
  candidate: Candidate;
  /** The record's affected entries for the package, ranges and versions together. */
  affected: AffectedPackage;
  /** The advisory's id, then its aliases. */
  ids: string[];
}

const NO_RECORDS: readonly CandidateRecord[] = Object.freeze([]);

function indexKey(ecosystem: string, name: string): string {
  return `${ecosystem}\0${comparableName(ecosystem, name)}`;
}

/** Several affected entries of one advisory for one package, as one entry. */
function combine(entries: readonly AffectedPackage[]): AffectedPackage {
  if (entries.length === 1) return entries[0]!;
  const first = entries[0]!;
  const combined: AffectedPackage = {
    ecosystem: first.ecosystem,
    name: first.name,
    ranges: entries.flatMap((entry) => entry.ranges),
    versions: entries.flatMap((entry) => entry.versions),
  };
  const severity = entries.find((entry) => entry.severity !== undefined && entry.severity !== 'Unknown')?.severity;
  if (severity !== undefined) combined.severity = severity;
  return combined;
}

/**
 * Candidates indexed once by `ecosystem\0name` (PyPI names PEP 503-normalized), each filed under
 * its affected entry's own ecosystem and name, so matching costs one lookup per package rather
 * than a scan of every candidate, and finds only candidates whose ecosystem and name equal the
 * package's. Withdrawn advisories are left out. Build one with `indexCandidates` and pass it to
 * `matchPackages` for every SBOM matched against the same candidates.
 */
export class CandidateIndex {
  private readonly byKey = new Map<string, CandidateRecord[]>();
  private readonly ecosystemSet = new Set<string>();

  constructor(candidates: Iterable<Candidate>) {
    const entries = new Map<string, { candidate: Candidate; entries: AffectedPackage[] }>();
    for (const candidate of candidates) {
      const { advisory, affected } = candidate;
      this.ecosystemSet.add(affected.ecosystem);
      if (advisory.withdrawn !== undefined) continue;
      const key = indexKey(affected.ecosystem, affected.name);
      const recordKey = `${key}\0${candidate.feed}\0${advisory.source}\0${advisory.key}`;
      const record = entries.get(recordKey);
      if (record === undefined) entries.set(recordKey, { candidate, entries: [affected] });
      else if (!record.entries.includes(affected)) record.entries.push(affected);
    }
    for (const { candidate, entries: affected } of entries.values()) {
      const key = indexKey(candidate.affected.ecosystem, candidate.affected.name);
      const record: CandidateRecord = {
        candidate,
        affected: combine(affected),
        ids: [candidate.advisory.id, ...candidate.advisory.aliases],
      };
      const list = this.byKey.get(key);
      if (list === undefined) this.byKey.set(key, [record]);
      else list.push(record);
    }
  }

  /** Every ecosystem some candidate (withdrawn ones too) is for: the database has data for it. */
  get ecosystems(): ReadonlySet<string> {
    return this.ecosystemSet;
  }

  /** The records for an ecosystem and a package name (compared as the ecosystem compares names). */
  records(ecosystem: string, name: string): readonly CandidateRecord[] {
    return this.byKey.get(indexKey(ecosystem, name)) ?? NO_RECORDS;
  }
}

/** Indexes candidates once for any number of `matchPackages` calls. */
export function indexCandidates(candidates: Iterable<Candidate>): CandidateIndex {
  return new CandidateIndex(candidates);
}
