/** Executable formats the Go linker writes: ELF, PE, Mach-O (thin and universal). */
export function isExecutableFormat(head: Buffer): boolean {
  if (head.length < 4) return false;
  const magic = head.readUInt32BE(0);
  return (
    magic === 0x7f454c46 || // ELF
    head.readUInt16BE(0) === 0x4d5a || // PE: the DOS header's `MZ`
    magic === 0xfeedface ||
    magic === 0xfeedfacf ||
    magic === 0xcefaedfe ||
    magic === 0xcffaedfe ||
    magic === 0xcafebabe // universal binary (and Java class files, which simply hold no build info)
  );
}

const GO_BUILD_ID_TEXT = Buffer.from('\xff Go build ID: "', 'latin1');
const GO_NOTE_NAME = Buffer.from('Go\0\0', 'latin1');
const NT_GO_BUILD_ID = 4;

/**
 * Whether the start of an ELF file says the Go linker wrote it: its `.note.go.buildid` note sits
 * right after the headers, and older toolchains also put the build ID at the start of the text.
 * Only such files are worth copying for the pre-1.18 build info format, which needs random access.
 */
export function looksLikeGoElf(head: Buffer): boolean {
  if (head.length < 16 || head.readUInt32BE(0) !== 0x7f454c46) return false;
  if (head.includes(GO_BUILD_ID_TEXT)) return true;
  const big = head[5] === 2;
  for (let at = head.indexOf(GO_NOTE_NAME); at >= 0; at = head.indexOf(GO_NOTE_NAME, at + 1)) {
    // An ELF note: namesz, descsz, type, then the name.
    if (at < 12) continue;
    const namesz = big ? head.readUInt32BE(at - 12) : head.readUInt32LE(at - 12);
    const type = big ? head.readUInt32BE(at - 4) : head.readUInt32LE(at - 4);
    if (namesz === 4 && type === NT_GO_BUILD_ID) return true;
  }
  return false;
}
