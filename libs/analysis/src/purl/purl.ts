import { PackageURL } from 'packageurl-js';
import type { OsInfo, Package } from '../model';

type Qualifiers = Record<string, string>;

/**
 * The package URL of a package, as vulnerability feeds and SBOM consumers key packages. OS
 * packages need the OS (namespace and `distro`), which the package itself does not carry.
 */
export function purlOf(pkg: Package, os?: OsInfo): string {
  const purl = build(pkg, os);
  // packageurl-js 2.0.1 leaves `+` unescaped in the version, but ECMA-427 (the purl standard)
  // requires `%2B`, and a bare `+` reads as a space to form decoders. Every other component is
  // already escaped by the library, so a literal `+` here can only come from the version.
  return purl.toString().replace(/\+/g, '%2B');
}

function build(pkg: Package, os: OsInfo | undefined): PackageURL {
  switch (pkg.type) {
    case 'deb':
      return purl(pkg, os?.id, pkg.version, withArch(pkg, { distro: debDistro(os) }));
    case 'apk':
      // Alpine's feeds (secdb) are keyed by the release branch, so the qualifier is the bare version.
      return purl(pkg, os?.id, pkg.version, withArch(pkg, { distro: os?.version }));
    case 'rpm':
      return rpmPurl(pkg, os);
    case 'npm':
      // The purl npm namespace is the scope with its `@`; tolerate a scope recorded without it.
      return purl(pkg, pkg.namespace && !pkg.namespace.startsWith('@') ? `@${pkg.namespace}` : pkg.namespace, pkg.version);
    case 'golang':
      return goPurl(pkg);
    case 'pypi':
    case 'maven':
      return purl(pkg, pkg.namespace, pkg.version);
  }
}

function purl(pkg: Package, namespace: string | undefined, version: string, qualifiers?: Qualifiers): PackageURL {
  return new PackageURL(pkg.type, namespace || undefined, pkg.name, version, compact(qualifiers), undefined);
}

/** The purl spec splits a Go module path at its last slash: `github.com/gorilla` / `mux`. */
function goPurl(pkg: Package): PackageURL {
  const full = pkg.namespace ? `${pkg.namespace}/${pkg.name}` : pkg.name;
  const slash = full.lastIndexOf('/');
  const namespace = slash > 0 ? full.slice(0, slash) : undefined;
  return new PackageURL('golang', namespace, full.slice(slash + 1), pkg.version, undefined, undefined);
}

function rpmPurl(pkg: Package, os: OsInfo | undefined): PackageURL {
  const parts = pkg.rpm ?? splitRpmVersion(pkg.version);
  const qualifiers: Qualifiers = withArch(pkg, { distro: os?.version ? `${os.id}-${os.version}` : undefined });
  // The purl rpm type carries the epoch as a qualifier, never inside the version.
  if (parts.epoch !== undefined) qualifiers.epoch = String(parts.epoch);
  return purl(pkg, os?.id, parts.release ? `${parts.version}-${parts.release}` : parts.version, qualifiers);
}

/** `[epoch:]version-release`, for rpm packages recorded without their split-out `rpm` field. */
function splitRpmVersion(full: string): { epoch?: number; version: string; release: string } {
  const colon = full.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(full.slice(0, colon)) ? Number(full.slice(0, colon)) : undefined;
  const rest = epoch === undefined ? full : full.slice(colon + 1);
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest, release: '' };
}

function debDistro(os: OsInfo | undefined): string | undefined {
  if (!os) return undefined;
  if (os.version) return `${os.id}-${os.version}`;
  return os.codename;
}

function withArch(pkg: Package, qualifiers: Record<string, string | undefined>): Qualifiers {
  return compact({ arch: pkg.arch, ...qualifiers }) ?? {};
}

function compact(qualifiers: Record<string, string | undefined> | undefined): Qualifiers | undefined {
  if (!qualifiers) return undefined;
  const out: Qualifiers = {};
  for (const [key, value] of Object.entries(qualifiers)) if (value) out[key] = value;
  return Object.keys(out).length ? out : undefined;
}
