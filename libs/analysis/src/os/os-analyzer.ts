import type { AnalyzedFile, AnalyzerResult, FileAnalyzer, OsInfo } from '../model';
import { osInfoFromOsRelease, parseOsRelease } from './os-release';
import { analyzeWholeFile, withWarnings } from '../io';
import { parseAlpineRelease, parseDebianVersion, parseRedhatRelease } from './release-files';

/** Release files are a few hundred bytes; a large one is not a release file. */
const MAX_RELEASE_FILE_BYTES = 64 * 1024;

type ReleaseParser = (text: string, path: string) => { os?: OsInfo; warnings: string[] };

function fromOsRelease(text: string, path: string): { os?: OsInfo; warnings: string[] } {
  const parsed = parseOsRelease(text);
  const warnings = parsed.warnings.map((w) => `${path}: ${w}`);
  const os = osInfoFromOsRelease(parsed.fields, path);
  if (!os) warnings.push(`${path}: neither ID nor NAME; names no distribution`);
  return { os, warnings };
}

function single(parse: (text: string, path: string) => OsInfo | undefined): ReleaseParser {
  return (text, path) => {
    const os = parse(text, path);
    return os ? { os, warnings: [] } : { warnings: [`${path}: not a recognizable release file`] };
  };
}

const PARSERS: ReadonlyMap<string, ReleaseParser> = new Map([
  ['etc/os-release', fromOsRelease],
  ['usr/lib/os-release', fromOsRelease],
  ['etc/alpine-release', single(parseAlpineRelease)],
  ['etc/debian_version', single(parseDebianVersion)],
  ['etc/redhat-release', single(parseRedhatRelease)],
  ['etc/centos-release', single(parseRedhatRelease)],
  ['etc/system-release', single(parseRedhatRelease)],
]);

/**
 * Offers one OsInfo candidate per release file; the image's OS is `pickOs` over all of them once
 * every layer has been seen.
 */
export const osAnalyzer: FileAnalyzer = {
  name: 'os-release',
  version: 1,
  accepts(path: string): boolean {
    return PARSERS.has(path);
  },
  async analyze(file: AnalyzedFile): Promise<AnalyzerResult> {
    return analyzeWholeFile(file, MAX_RELEASE_FILE_BYTES, (data) => {
      const parse = PARSERS.get(file.path);
      if (!parse) return {};
      const { os, warnings } = parse(data.toString('utf8'), file.path);
      return withWarnings(os ? { os } : {}, warnings);
    });
  },
};
