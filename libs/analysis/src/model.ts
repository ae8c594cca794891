/**
 * What image analysis finds. Package fields follow the package manager's own words; `purl` is
 * derived from them (packageurl-js) when the SBOM is built.
 */

/** purl types of the packages we know how to find. */
export type PackageType = 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'golang' | 'maven';

export interface SourcePackage {
  name: string;
  /** The source package's version as the package manager records it (epoch included for dpkg). */
  version: string;
}

export interface Package {
  type: PackageType;
  /** Maven groupId, npm scope (with @, as in the purl), Go module path prefix; absent when the ecosystem has none. */
  namespace?: string;
  name: string;
  /**
   * The version exactly as the package manager reports it: dpkg `[epoch:]upstream[-revision]`,
   * apk `1.2.3-r0`, rpm `[epoch:]version-release`, npm/PyPI/Go/Maven as published.
   */
  version: string;
  arch?: string;
  /** rpm only, split out for matching: epoch (absent = none), version, release. */
  rpm?: { epoch?: number; version: string; release: string; sourceRpm?: string };
  /** OS packages: the source package vulnerability feeds are keyed by. */
  source?: SourcePackage;
  licenses?: string[];
  /** The file (inside the image) this package was read from, without a leading slash. */
  path: string;
  /** Digest of the layer whose file it was read from; set by the image walker. */
  layerDigest?: string;
}

export type OsFamily = 'debian' | 'ubuntu' | 'alpine' | 'redhat' | 'unknown';

export interface OsInfo {
  /** os-release ID: debian, ubuntu, alpine, rhel, centos, fedora, rocky, almalinux, mariner, ... */
  id: string;
  family: OsFamily;
  /** VERSION_ID, or the most precise version a release file gives (alpine 3.18.4, debian 12.5). */
  version?: string;
  /** VERSION_CODENAME (bookworm, jammy) when known. */
  codename?: string;
  prettyName?: string;
  /** Which file said so (a Debian image without os-release is identified from debian_version). */
  path: string;
}

/** One file as an analyzer sees it while a layer streams by. */
export interface AnalyzedFile {
  /** Path inside the image, normalized, without a leading slash: `var/lib/dpkg/status`. */
  path: string;
  size: number;
  /** Unix mode bits (permissions), e.g. 0o755. */
  mode: number;
  /** The file's content: read it whole (within `limits`) or stream it; once. */
  content: NodeJS.ReadableStream;
}

export interface AnalyzerResult {
  packages?: Package[];
  os?: OsInfo;
  /** Problems worth telling the user about (a malformed entry skipped, a file too large). */
  warnings?: string[];
}

/**
 * Finds things in individual files. The image walker offers every regular file of every layer to
 * `accepts`; accepted files are streamed to `analyze`. Results of files that a later layer
 * overwrites or deletes are dropped by the walker, so an analyzer never has to think about layers.
 */
export interface FileAnalyzer {
  /** Stable name, recorded with every package it finds. */
  readonly name: string;
  /** Bumped when its results change for the same input, so stored SBOMs get regenerated. */
  readonly version: number;
  /** A cheap decision from path, size and mode alone. */
  accepts(path: string, size: number, mode: number): boolean;
  analyze(file: AnalyzedFile): Promise<AnalyzerResult>;
}
