import type { Package } from '../../model';
import { isRecord, npmPackage, packageKey } from './npm-package';

export interface ParseResult {
  packages: Package[];
  warnings: string[];
}

/**
 * The packages a `package-lock.json` or `npm-shrinkwrap.json` installs. v2 and v3 list every
 * install location under `packages`; v1 (and v2's compatibility copy, ignored when `packages` is
 * present) nests `dependencies`.
 */
export function parsePackageLock(text: string, path: string): ParseResult {
  const out: ParseResult = { packages: [], warnings: [] };
  let lock: unknown;
  try {
    lock = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    out.warnings.push(`${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    return out;
  }
  if (!isRecord(lock)) {
    out.warnings.push(`${path}: not a package lock`);
    return out;
  }
  const seen = new Set<string>();
  const add = (result: Package | string): void => {
    if (typeof result === 'string') out.warnings.push(`${path}: ${result}`);
    else if (!seen.has(packageKey(result))) {
      seen.add(packageKey(result));
      out.packages.push(result);
    }
  };
  if (isRecord(lock.packages)) fromPackages(lock.packages, path, add);
  else if (isRecord(lock.dependencies)) fromDependencies(lock.dependencies, path, add, 0);
  else if (lock.lockfileVersion === undefined) out.warnings.push(`${path}: not a package lock`);
  return out;
}

type Add = (result: Package | string) => void;

function fromPackages(packages: Record<string, unknown>, path: string, add: Add): void {
  for (const [location, entry] of Object.entries(packages)) {
    // Only `node_modules/` locations are installed from a registry: `""` is the app itself and
    // other keys are its workspace folders, the app's own code.
    const at = location.lastIndexOf('node_modules/');
    if (at < 0 || !isRecord(entry)) continue;
    // A link points at a folder whose own entry (if any) is listed under its real location.
    if (entry.link === true) continue;
    if (entry.version === undefined) continue;
    if (!installableOnLinux(entry.os)) continue;
    // An alias (`"foo": "npm:bar@1"`) installs `bar` in folder `foo`; `name` says so.
    const name = typeof entry.name === 'string' ? entry.name : location.slice(at + 'node_modules/'.length);
    add(npmPackage(name, entry, path));
  }
}

/**
 * Lockfiles list optional platform packages for every OS (`@esbuild/darwin-arm64`); npm installs
 * only those whose `os` allows the running one, and a container image runs Linux. (`cpu` and
 * `libc` would need the image's architecture and C library, which a lockfile alone cannot tell.)
 */
function installableOnLinux(os: unknown): boolean {
  if (!Array.isArray(os) || os.length === 0) return true;
  const names = os.filter((name): name is string => typeof name === 'string');
  if (names.includes('!linux')) return false;
  const allowed = names.filter((name) => !name.startsWith('!'));
  return allowed.length === 0 || allowed.includes('linux');
}

/** A v1 lockfile nests dependencies as deep as node_modules folders nest; bound it all the same. */
const MAX_V1_DEPTH = 64;

function fromDependencies(deps: Record<string, unknown>, path: string, add: Add, depth: number): void {
  if (depth > MAX_V1_DEPTH) {
    add(`dependencies nested deeper than ${MAX_V1_DEPTH}; the rest is skipped`);
    return;
  }
  for (const [key, entry] of Object.entries(deps)) {
    if (!isRecord(entry)) continue;
    const found = v1Package(key, entry, path);
    if (found !== undefined) add(found);
    if (isRecord(entry.dependencies)) fromDependencies(entry.dependencies, path, add, depth + 1);
  }
}

function v1Package(key: string, entry: Record<string, unknown>, path: string): Package | string | undefined {
  const version = entry.version;
  if (version === undefined) return undefined;
  // A local folder (`file:../lib`) is the app's own code, not an installed package.
  if (typeof version === 'string' && version.startsWith('file:')) return undefined;
  // An alias (`"foo": "npm:bar@1.0.0"`) installs `bar` in folder `foo`.
  const alias = typeof version === 'string' ? /^npm:((?:@[^/@]+\/)?[^@]+)@(.+)$/.exec(version) : null;
  return alias ? npmPackage(alias[1], { ...entry, version: alias[2] }, path) : npmPackage(key, entry, path);
}
