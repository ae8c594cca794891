export { osAnalyzer } from './os-analyzer';
export { osFamily, osInfoFromOsRelease, parseOsRelease } from './os-release';
export type { ParsedOsRelease } from './os-release';
export { pickOs } from './pick-os';
export { parseAlpineRelease, parseDebianVersion, parseRedhatRelease } from './release-files';
