import type { OsInfo, Package, PackageType } from '@vulnscan/analysis';
import type { Advisory, AffectedPackage, CvssScore, FeedKind, Severity } from '../model';
import type { CandidateIndex } from './candidate-index';

/** What a package is looked up by: the ecosystem and name feeds key it by, and the version to compare. */
export interface MatchKey {
  /** As OSV names it, with the release for distributions: `Debian:12`, `Alpine:v3.18`, `PyPI`. */
  ecosystem: string;
  /** As feeds key it: the source package for distributions, PEP 503-normalized for PyPI. */
  name: string;
  /** The version compared with the advisories' (the source version for distributions). */
  version: string;
}

/** A package as matching takes it: the SBOM's package, with its purl when the SBOM has one. */
export type MatchPackage = Package & { purl?: string };

/**
 * One affected entry of one advisory the caller found for some package's (ecosystem, name).
 * Several candidates may share an advisory (one per affected entry); they are evaluated together.
 */
export interface Candidate {
  /** The configured feed's name (a `VULNDB_SOURCES` entry), as `Finding.feed` reports it. */
  feed: string;
  feedKind: FeedKind;
  advisory: Advisory;
  affected: AffectedPackage;
}

/** The outcome of evaluating one affected entry against one version. */
export interface AffectsResult {
  affected: boolean;
  /** The smallest fixed version above the installed one that leaves the package unaffected. */
  fixed?: string;
  /** Why (part of) the entry could not be evaluated: a version the scheme cannot order. */
  error?: string;
}

/**
 * Where a finding's severity came from:
 *  - `feed`: the winning record states one (for the package, else for the whole record);
 *  - `cvss`: computed from the winning record's best CVSS vector;
 *  - `alias`: from another record merged into the finding (its stated severity or CVSS vector),
 *    or from `severityByAlias` (other records of the database sharing an id);
 *  - `none`: nothing says; the severity is `Unknown`.
 */
export type SeveritySource = 'feed' | 'cvss' | 'alias' | 'none';

export interface FindingPackage {
  type: PackageType;
  namespace?: string;
  name: string;
  version: string;
  purl?: string;
  path: string;
  layerDigest?: string;
}

/** One vulnerability of one package instance, every record naming it merged into one. */
export interface Finding {
  /** The winning record's id. */
  id: string;
  /** Every other id of the merged records (their ids and aliases), sorted. */
  aliases: string[];
  /** The winning record's feed. */
  feed: string;
  package: FindingPackage;
  /** The match key's ecosystem and name, and the version compared. */
  ecosystem: string;
  matchedName: string;
  installedVersion: string;
  /** The winning record's fixed version; absent when it knows no fix. */
  fixedVersion?: string;
  severity: Severity;
  severitySource: SeveritySource;
  /** The CVSS vector the severity came from; else the best vector any merged record gives. */
  cvss?: CvssScore;
  summary?: string;
  /** Reference URLs of every merged record, the winner's first, without repeats. */
  references: string[];
  /** The ids of every record merged into this finding, sorted (a record id may repeat across feeds). */
  sources: string[];
}

export interface CoverageEntry {
  /** A match key's ecosystem, or `unknown` for packages without a match key. */
  ecosystem: string;
  /** Package instances with that ecosystem. */
  packages: number;
  /** `full` when the database has any advisory for the ecosystem. */
  coverage: 'full' | 'none';
}

export interface MatchInput {
  packages: readonly MatchPackage[];
  os?: OsInfo;
  /** The candidates, or an index of them built once with `indexCandidates` and reused. */
  candidates: readonly Candidate[] | CandidateIndex;
  /**
   * Feed names (`Candidate.feed`), most trusted first. Consulted after the distribution's own
   * feed rule, before the CVSS and id tie-breaks; feeds not listed rank after listed ones.
   */
  feedPriority?: readonly string[];
  /** CVE id (or any id) → severity, as other records of the database sharing the id state it. */
  severityByAlias?: ReadonlyMap<string, Severity>;
  /**
   * Ecosystems the database holds any advisory for (coverage `full`). Without it, coverage can
   * only go by the candidates given, which undercounts: pass it whenever coverage matters.
   */
  ecosystemsWithData?: ReadonlySet<string>;
}

export interface MatchResult {
  findings: Finding[];
  coverage: CoverageEntry[];
  /** Versions that could not be ordered, per package and record; matching went on without them. */
  errors: string[];
}
