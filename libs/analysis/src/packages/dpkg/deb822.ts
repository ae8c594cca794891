/** One paragraph of a Debian control-style file. */
export interface Stanza {
  /** Field names lower-cased (deb822 field names are case-insensitive); continuation lines joined by `\n`. */
  fields: Map<string, string>;
  /** 1-based line number of its first line, for warnings. */
  line: number;
}

export interface ParsedStanzas {
  stanzas: Stanza[];
  warnings: string[];
}

const FIELD = /^([!-9;-~]+):(.*)$/;

/**
 * Splits deb822 text (dpkg's status file, status.d entries) into stanzas: `Name: value` lines,
 * continuation lines starting with a space or tab, stanzas separated by blank lines. A line that
 * fits none of these is reported and skipped so one damaged entry cannot hide the others.
 */
export function parseStanzas(text: string): ParsedStanzas {
  const stanzas: Stanza[] = [];
  const warnings: string[] = [];
  let current: Stanza | undefined;
  let lastField: string | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') {
      current = undefined;
      lastField = undefined;
      return;
    }
    if (!current) {
      current = { fields: new Map(), line: lineNo };
      stanzas.push(current);
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (lastField === undefined) {
        warnings.push(`line ${lineNo}: continuation line without a field`);
        return;
      }
      current.fields.set(lastField, `${current.fields.get(lastField)}\n${line.slice(1)}`);
      return;
    }
    const match = FIELD.exec(line);
    if (!match) {
      warnings.push(`line ${lineNo}: not a field`);
      lastField = undefined;
      return;
    }
    lastField = match[1].toLowerCase();
    current.fields.set(lastField, match[2].trim());
  });
  return { stanzas, warnings };
}
