import type { Package, SourcePackage } from '../../model';
import { parseStanzas, type Stanza } from './deb822';

export interface DpkgParseOptions {
  /**
   * Distroless images write one file per package under `status.d/` and leave out `Status`: a
   * stanza there is installed unless it says otherwise. In `status` a missing Status is damage.
   */
  statusOptional?: boolean;
}

export interface DpkgParseResult {
  packages: Package[];
  warnings: string[];
}

/** The package states dpkg records (dpkg-query(1)); the third word of `Status`. */
const KNOWN_STATES = new Set([
  'not-installed',
  'config-files',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
  'installed',
]);

/**
 * Whether a package's files are on disk, judged by its state, as apt does (a package has a current
 * version unless it is `not-installed` or only `config-files`). The first word is only a wish
 * (`deinstall ok installed` is still fully installed until someone acts on it), and an unpacked
 * or half-configured package has its vulnerable files in place all the same.
 */
export function isInstalledState(status: string): boolean | undefined {
  const words = status.trim().split(/\s+/);
  if (words.length !== 3 || !KNOWN_STATES.has(words[2])) return undefined;
  return words[2] !== 'not-installed' && words[2] !== 'config-files';
}

/**
 * `Source: name` (same version as the binary) or `Source: name (version)`, the form dpkg writes
 * when they differ, as for binNMUs (`bash 5.2.15-2+b13` from source `bash 5.2.15-2`). Without the
 * field the binary package is its own source.
 */
export function parseSourceField(source: string | undefined, name: string, version: string): SourcePackage | undefined {
  if (source === undefined || source === '') return { name, version };
  const match = /^(\S+)(?:\s+\(([^()\s]+)\))?$/.exec(source);
  if (!match) return undefined;
  return { name: match[1], version: match[2] ?? version };
}

type StanzaOutcome = { package: Package; warning?: string } | { skip: string } | { ignore: true };

function packageFromStanza(stanza: Stanza, path: string, options: DpkgParseOptions): StanzaOutcome {
  const name = stanza.fields.get('package');
  const status = stanza.fields.get('status');
  if (!name) return { skip: 'no Package field' };
  if (status === undefined) {
    if (!options.statusOptional) return { skip: `${name}: no Status field` };
  } else {
    const installed = isInstalledState(status);
    if (installed === undefined) return { skip: `${name}: unrecognized Status "${status}"` };
    if (!installed) return { ignore: true };
  }
  const version = stanza.fields.get('version');
  if (!version) return { skip: `${name}: no Version field` };
  const arch = stanza.fields.get('architecture');
  const pkg: Package = { type: 'deb', name, version, ...(arch ? { arch } : {}), path };
  const sourceField = stanza.fields.get('source');
  const source = parseSourceField(sourceField, name, version);
  if (source) return { package: { ...pkg, source } };
  // The binary itself is sound, and dropping it would hide its vulnerabilities: keep it, with the
  // source name dpkg would most likely mean, and say so.
  const fallback = { name: sourceField?.split(/\s+/)[0] || name, version };
  return { package: { ...pkg, source: fallback }, warning: `${name}: malformed Source field "${sourceField}"` };
}

/**
 * Installed packages of a dpkg status file (`var/lib/dpkg/status`) or of one distroless
 * `var/lib/dpkg/status.d/*` file. Stanzas that cannot be trusted are skipped with a warning; a
 * package is never guessed from a damaged stanza.
 */
export function parseDpkgStatus(text: string, path: string, options: DpkgParseOptions = {}): DpkgParseResult {
  const parsed = parseStanzas(text);
  const warnings = parsed.warnings.map((w) => `${path}: ${w}`);
  const packages: Package[] = [];
  for (const stanza of parsed.stanzas) {
    const outcome = packageFromStanza(stanza, path, options);
    if ('package' in outcome) {
      packages.push(outcome.package);
      if (outcome.warning) warnings.push(`${path}: stanza at line ${stanza.line}: ${outcome.warning}`);
    } else if ('skip' in outcome) warnings.push(`${path}: stanza at line ${stanza.line}: ${outcome.skip}; skipped`);
  }
  return { packages, warnings };
}
