/**
 * The main section of a JAR manifest: `Name: value` lines, continuation lines starting with one
 * space (the format wraps at 72 bytes), up to the first empty line.
 */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line.startsWith(' ')) {
      if (last !== undefined) out.set(last, out.get(last) + line.slice(1));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim();
    out.set(last, line.slice(colon + 1).trim());
  }
  return out;
}

/** What a manifest says about the archive, for a warning when it has no Maven coordinates. */
export function describeManifest(manifest: Map<string, string>): string {
  const said = ['Implementation-Title', 'Implementation-Version', 'Implementation-Vendor-Id', 'Bundle-SymbolicName', 'Bundle-Version']
    .filter((key) => manifest.get(key))
    .map((key) => `${key}=${manifest.get(key)}`);
  return said.length ? `its manifest says ${said.join(', ')}` : 'its manifest names nothing';
}
