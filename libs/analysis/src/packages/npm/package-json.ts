import type { ParseResult } from './package-lock';
import { isRecord, npmPackage } from './npm-package';

/**
 * A package's own manifest at the root of its install folder: `node_modules/<name>/package.json`
 * or `node_modules/@scope/<name>/package.json`. Deeper package.json files inside a package
 * (`node_modules/x/esm/package.json`, test fixtures) describe nothing installed, and folders npm
 * would never create (`.bin`, `.cache`) are not packages.
 */
const INSTALLED_MANIFEST = /(?:^|\/)node_modules\/(?:@[^/.][^/]*\/)?[^/.@][^/]*\/package\.json$/;

export function isInstalledPackageJson(path: string): boolean {
  return INSTALLED_MANIFEST.test(path);
}

/** The one package an installed `package.json` describes. */
export function parseInstalledPackageJson(text: string, path: string): ParseResult {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { packages: [], warnings: [`${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`] };
  }
  if (!isRecord(manifest) || typeof manifest.name !== 'string') {
    return { packages: [], warnings: [`${path}: no package name`] };
  }
  const found = npmPackage(manifest.name, manifest, path);
  return typeof found === 'string' ? { packages: [], warnings: [`${path}: ${found}`] } : { packages: [found], warnings: [] };
}
