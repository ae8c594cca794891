import type { Package } from '../../model';

export interface ParseResult {
  packages: Package[];
  warnings: string[];
}

/**
 * The header block of a core metadata file (`METADATA`, `PKG-INFO`): RFC 822 headers up to the
 * first empty line, lines starting with whitespace continuing the previous header. Keys are
 * lower-cased, as the email parser Python reads them with compares them case-insensitively.
 */
export function parseCoreMetadataHeaders(text: string): { headers: Map<string, string[]>; malformed: string[] } {
  const headers = new Map<string, string[]>();
  const malformed: string[] = [];
  let last: { values: string[]; index: number } | undefined;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    // Only a truly empty line ends the headers: setuptools folds a multi-paragraph License into
    // continuation lines that are blank but for their indentation.
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      if (last) last.values[last.index] += `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      // Python's parser ends the headers at such a line too, taking the rest as the body.
      malformed.push(line.length > 60 ? `${line.slice(0, 60)}…` : line);
      break;
    }
    const key = line.slice(0, colon).trim().toLowerCase();
    const values = headers.get(key) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(key, values);
    last = { values, index: values.length - 1 };
  }
  return { headers, malformed };
}

/** The one distribution a `METADATA` / `PKG-INFO` file describes. */
export function parsePythonMetadata(text: string, path: string): ParseResult {
  const { headers, malformed } = parseCoreMetadataHeaders(text);
  const warnings = malformed.map((line) => `${path}: headers end at a line that is not a header: ${JSON.stringify(line)}`);
  const name = headers.get('name')?.[0];
  const version = headers.get('version')?.[0];
  if (!name || !version) {
    warnings.push(`${path}: no ${name ? 'Version' : 'Name'} header`);
    return { packages: [], warnings };
  }
  const pkg: Package = { type: 'pypi', name, version, path };
  const licenses = pythonLicenses(headers);
  if (licenses.length) pkg.licenses = licenses;
  return { packages: [pkg], warnings };
}

/**
 * The most precise license statement the metadata makes: an SPDX `License-Expression`
 * (Metadata 2.4), else a one-line `License` (projects often fold the whole license text into it,
 * which names no license), else the trove classifiers' names.
 */
export function pythonLicenses(headers: Map<string, string[]>): string[] {
  const expression = headers.get('license-expression')?.[0];
  if (expression) return [expression];
  const license = headers.get('license')?.[0];
  if (license && !license.includes('\n') && license.toUpperCase() !== 'UNKNOWN') return [license];
  const fromClassifiers = (headers.get('classifier') ?? [])
    .map((classifier) => classifier.split('::').map((part) => part.trim()))
    // `License :: OSI Approved` alone says a license was approved, not which one.
    .filter((parts) => parts[0] === 'License' && parts.length > 1 && !(parts.length === 2 && parts[1] === 'OSI Approved'))
    .map((parts) => parts[parts.length - 1]);
  return [...new Set(fromClassifiers)];
}
