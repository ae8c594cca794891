import type { OsFamily, OsInfo } from '../model';

export interface ParsedOsRelease {
  fields: Map<string, string>;
  warnings: string[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters a backslash escapes inside double quotes, as in the shell (os-release(5)). */
const DOUBLE_QUOTE_ESCAPES = new Set(['"', '\\', '$', '`']);

/**
 * Parses an os-release file (freedesktop os-release(5)): `KEY=value` lines, values optionally in
 * single or double quotes with shell-style backslash escapes, `#` comment lines, blank lines.
 * A line that is not an assignment is reported and skipped; the rest of the file still counts.
 */
export function parseOsRelease(text: string): ParsedOsRelease {
  const fields = new Map<string, string>();
  const warnings: string[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    if (!KEY.test(key)) {
      warnings.push(`line ${index + 1}: not a KEY=value assignment`);
      return;
    }
    const value = unquote(line.slice(eq + 1));
    if (value.unterminated) warnings.push(`line ${index + 1}: unterminated quote in ${key}`);
    fields.set(key, value.text);
  });
  return { fields, warnings };
}

function unquote(raw: string): { text: string; unterminated: boolean } {
  let out = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < raw.length && DOUBLE_QUOTE_ESCAPES.has(raw[i + 1])) out += raw[++i];
      else out += c;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '\\' && i + 1 < raw.length) {
      out += raw[++i];
    } else {
      out += c;
    }
  }
  return { text: quote ? out : out.trimEnd(), unterminated: quote !== undefined };
}

/** os-release IDs whose packages are rpms built and versioned the Red Hat way. */
const REDHAT_IDS = new Set(['rhel', 'centos', 'fedora', 'rocky', 'almalinux', 'ol', 'amzn', 'mariner', 'azurelinux']);

/**
 * The family decides which version rules and which feeds apply, so a derivative counts as its
 * parent (ID_LIKE lists parents closest first); Ubuntu is checked before Debian because Ubuntu
 * derivatives list both and use Ubuntu's archive.
 */
export function osFamily(id: string, idLike: readonly string[] = []): OsFamily {
  for (const candidate of [id, ...idLike]) {
    if (candidate === 'ubuntu') return 'ubuntu';
    if (candidate === 'debian') return 'debian';
    if (candidate === 'alpine') return 'alpine';
    if (REDHAT_IDS.has(candidate)) return 'redhat';
  }
  return 'unknown';
}

/** Older Debian os-release files (and distroless) carry the codename only in VERSION: `12 (bookworm)`. */
function debianCodenameFromVersion(version: string | undefined): string | undefined {
  const match = version?.match(/\(([a-z]+)\)\s*$/);
  return match?.[1];
}

/** The OsInfo an os-release file describes; `undefined` when it names no distribution at all. */
export function osInfoFromOsRelease(fields: ReadonlyMap<string, string>, path: string): OsInfo | undefined {
  // os-release(5): ID defaults to "linux"; a file without ID nor NAME describes nothing useful.
  if (!fields.has('ID') && !fields.has('NAME')) return undefined;
  const id = (fields.get('ID') || 'linux').toLowerCase();
  const idLike = (fields.get('ID_LIKE') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const family = osFamily(id, idLike);
  const codename =
    fields.get('VERSION_CODENAME') ||
    fields.get('UBUNTU_CODENAME') ||
    (family === 'debian' ? debianCodenameFromVersion(fields.get('VERSION')) : undefined);
  return compact({
    id,
    family,
    version: fields.get('VERSION_ID') || undefined,
    codename: codename || undefined,
    prettyName: fields.get('PRETTY_NAME') || undefined,
    path,
  });
}

/** Drops undefined optional fields so results compare and serialize cleanly. */
export function compact(info: OsInfo): OsInfo {
  const out: OsInfo = { id: info.id, family: info.family, path: info.path };
  if (info.version !== undefined) out.version = info.version;
  if (info.codename !== undefined) out.codename = info.codename;
  if (info.prettyName !== undefined) out.prettyName = info.prettyName;
  return out;
}
