export { GoBinaryAnalyzer, DEFAULT_GO_LIMITS, type GoAnalyzerLimits } from './golang-analyzer';
export { BuildInfoScanner, type PointerCandidate, type ScanLimits } from './buildinfo-scanner';
export { BUILDINFO_MAGIC, parseBuildInfoHeader, parseInlineStrings, type BuildInfoHeader } from './buildinfo-header';
export { readPointerBuildInfo, elfLoadSegments, type ReadAt } from './pointer-buildinfo';
export { parseModinfo, goPackages, stdlibVersion, stripModinfoSentinels, type GoBuildInfo, type GoModule } from './modinfo';
export { isExecutableFormat, looksLikeGoElf } from './executable';
