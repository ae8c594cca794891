export { NpmAnalyzer, DEFAULT_NPM_LIMITS, type NpmAnalyzerLimits } from './npm-analyzer';
export { parsePackageLock, type ParseResult } from './package-lock';
export { isInstalledPackageJson, parseInstalledPackageJson } from './package-json';
export { npmLicenses } from './npm-package';
