/**
 * A Java `.properties` file as `java.util.Properties.load` reads it: `key=value`, `key: value` or
 * `key value`; `#`/`!` comments; a trailing backslash continues the line; `\` escapes, `\uXXXX`.
 * Maven's pom.properties is plain, but it is written by whatever built the jar.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithContinuation(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, '');
    }
    if (endsWithContinuation(line)) line = line.slice(0, -1);
    const { key, rest } = splitKey(line);
    out.set(unescape(key), unescape(rest));
  }
  return out;
}

/** An odd number of trailing backslashes: the last one is not itself escaped. */
function endsWithContinuation(line: string): boolean {
  const match = /\\+$/.exec(line);
  return match !== null && match[0].length % 2 === 1;
}

function splitKey(line: string): { key: string; rest: string } {
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\') i += 2;
    else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    else i++;
  }
  const key = line.slice(0, i);
  // The separator is whitespace, or one `=`/`:` with optional whitespace around it.
  const rest = line.slice(i).replace(/^[ \t\f]*[=:]?[ \t\f]*/, '');
  return { key, rest };
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, esc: string) => {
    if (esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[esc] ?? esc;
  });
}
