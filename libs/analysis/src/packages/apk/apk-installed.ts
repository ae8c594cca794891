import type { Package } from '../../model';

export interface ApkParseResult {
  packages: Package[];
  warnings: string[];
}

interface Block {
  line: number;
  fields: Map<string, string>;
}

const FIELD = /^([A-Za-z]):(.*)$/;

function parseBlocks(text: string, path: string, warnings: string[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') {
      current = undefined;
      return;
    }
    if (!current) {
      current = { line: index + 1, fields: new Map() };
      blocks.push(current);
    }
    const match = FIELD.exec(line);
    if (!match) {
      warnings.push(`${path}: line ${index + 1}: not a field`);
      return;
    }
    // File lists (F:, R:, Z:, a:, M:) repeat within a block; the package fields do not, and the
    // first one is the one apk itself reads.
    if (!current.fields.has(match[1])) current.fields.set(match[1], match[2].trim());
  });
  return blocks;
}

/**
 * Packages of apk's database (`lib/apk/db/installed`): one block per installed package,
 * `P:` name, `V:` version, `A:` arch, `o:` origin (the aport, which Alpine's security database is
 * keyed by; a package without one is its own aport), `L:` license. The license is kept as apk
 * wrote it, one string: recent Alpine writes SPDX expressions (`MPL-2.0 AND MIT`), older releases
 * free text (`MIT BSD GPL2+`), and splitting or renaming either would put words in its mouth.
 */
export function parseApkInstalled(text: string, path: string): ApkParseResult {
  const warnings: string[] = [];
  const packages: Package[] = [];
  for (const block of parseBlocks(text, path, warnings)) {
    const name = block.fields.get('P');
    const version = block.fields.get('V');
    if (!name || !version) {
      const missing = !name ? 'no P: (name)' : `${name}: no V: (version)`;
      warnings.push(`${path}: block at line ${block.line}: ${missing}; skipped`);
      continue;
    }
    const arch = block.fields.get('A');
    const license = block.fields.get('L');
    packages.push({
      type: 'apk',
      name,
      version,
      ...(arch ? { arch } : {}),
      source: { name: block.fields.get('o') || name, version },
      ...(license ? { licenses: [license] } : {}),
      path,
    });
  }
  return { packages, warnings };
}
