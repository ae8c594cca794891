/**
 * The vulnerability database's own model: every feed (OSV, the Alpine secdb, the Debian OVAL) is
 * normalized to it, and matching reads only it. It follows OSV closely, because OSV is the richest
 * of the formats and the one the others map onto without loss.
 */

/** The feed kinds `VULNDB_SOURCES` accepts. */
export type FeedKind = 'osv' | 'alpine-secdb' | 'debian-oval';

/** Severities as reports show them, in increasing order. */
export const SEVERITIES = ['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface CvssScore {
  /** CVSS_V2, CVSS_V3 (3.0 and 3.1), CVSS_V4, as OSV names them. */
  type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4';
  vector: string;
  /** The base score: the record's own when it gives one, else computed from the vector. */
  score: number;
}

/** One event of an OSV range; exactly one field is set. */
export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface AffectedRange {
  /** ECOSYSTEM: compared with the ecosystem's own rules; SEMVER: semver 2.0; GIT ranges are not kept. */
  type: 'ECOSYSTEM' | 'SEMVER';
  events: RangeEvent[];
}

export interface AffectedPackage {
  /**
   * The ecosystem as OSV names it, with the release for distributions: `Debian:12`,
   * `Alpine:v3.18`, `Ubuntu:22.04:LTS`, `npm`, `PyPI`, `Go`, `Maven`, `crates.io`.
   */
  ecosystem: string;
  /**
   * The package name as the ecosystem's feeds key it: the SOURCE package for Debian, Ubuntu and
   * Alpine; `group:artifact` for Maven; the module path for Go (`stdlib` for the toolchain).
   */
  name: string;
  purl?: string;
  ranges: AffectedRange[];
  /** Versions listed one by one (OSV `versions`); affected whether or not a range says so. */
  versions: string[];
  /** A severity the feed gives for this package only (OSV `ecosystem_specific` / `database_specific`). */
  severity?: Severity;
}

export interface Advisory {
  /** Which feed it came from. */
  source: FeedKind;
  /**
   * Unique within the source, and stable from one import to the next: the OSV id, or for feeds
   * whose ids repeat across releases, the id qualified by the release (`v3.18/CVE-2023-1234`).
   */
  key: string;
  /** The id a user sees: GHSA-…, GO-…, PYSEC-…, CVE-…, DSA-…. */
  id: string;
  /** Other ids of the same vulnerability (CVE ids above all); never contains `id`. */
  aliases: string[];
  summary?: string;
  details?: string;
  /** ISO 8601; absent when the feed has no date. */
  published?: string;
  modified?: string;
  /** Set when the feed withdrew the record: it matches nothing from then on. */
  withdrawn?: string;
  /** A severity the feed states for the whole record, normalized. */
  severity?: Severity;
  /** CVSS vectors the feed gives, best (newest CVSS version) first. */
  cvss: CvssScore[];
  /** Reference URLs. */
  references: string[];
  affected: AffectedPackage[];
}

/** A record a feed could not use: skipped and counted, never fatal to the import. */
export interface SkippedRecord {
  /** Where it was: a file name, a zip entry, a definition id. */
  location: string;
  reason: string;
}

/** What a feed parser yields, in feed order. */
export type FeedItem = { kind: 'advisory'; advisory: Advisory } | { kind: 'skipped'; skipped: SkippedRecord };
