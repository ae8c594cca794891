export { createDpkgAnalyzer, dpkgAnalyzer } from './dpkg-analyzer';
export type { DpkgAnalyzerOptions } from './dpkg-analyzer';
export { isInstalledState, parseDpkgStatus, parseSourceField } from './dpkg-status';
export type { DpkgParseOptions, DpkgParseResult } from './dpkg-status';
export { parseStanzas } from './deb822';
export type { ParsedStanzas, Stanza } from './deb822';
