import type { Package } from '../../model';

/** What npm's own manifests and lockfiles say about one installed package. */
export interface NpmManifest {
  name?: unknown;
  version?: unknown;
  license?: unknown;
  licenses?: unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * npm only publishes semver versions, so anything else (`file:../x`, `github:u/r#sha` in a v1
 * lockfile) is not a registry package and would match advisories wrongly.
 */
const SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * One npm package, or a reason why the entry is not one. `name` is the full name (`@babel/core`);
 * the scope becomes the namespace with its `@`, as in the purl (`pkg:npm/%40babel/core`).
 */
export function npmPackage(name: string, manifest: NpmManifest, path: string): Package | string {
  const version = manifest.version;
  if (typeof version !== 'string' || version === '') return `${name}: no version`;
  if (!SEMVER.test(version)) return `${name}: version ${JSON.stringify(version)} is not a registry version`;
  const scoped = /^(@[^/]+)\/([^/]+)$/.exec(name);
  if (!scoped && (name === '' || name.includes('/'))) return `invalid package name ${JSON.stringify(name)}`;
  const pkg: Package = scoped
    ? { type: 'npm', namespace: scoped[1], name: scoped[2], version, path }
    : { type: 'npm', name, version, path };
  const licenses = npmLicenses(manifest);
  if (licenses.length) pkg.licenses = licenses;
  return pkg;
}

/** `license: "MIT"`, the deprecated `license: {type}` and `licenses: [{type}]` forms. */
export function npmLicenses(manifest: NpmManifest): string[] {
  const out: string[] = [];
  const add = (value: unknown): void => {
    const text = typeof value === 'string' ? value : isRecord(value) ? value.type : undefined;
    if (typeof text === 'string' && text.trim() && !out.includes(text.trim())) out.push(text.trim());
  };
  add(manifest.license);
  if (Array.isArray(manifest.licenses)) manifest.licenses.forEach(add);
  else add(manifest.licenses);
  return out;
}

/** Identity within one file: a lockfile lists the same name@version once per install location. */
export function packageKey(pkg: Package): string {
  return `${pkg.namespace ?? ''}/${pkg.name}@${pkg.version}`;
}
