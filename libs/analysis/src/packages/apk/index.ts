export { apkAnalyzer, createApkAnalyzer } from './apk-analyzer';
export type { ApkAnalyzerOptions } from './apk-analyzer';
export { parseApkInstalled } from './apk-installed';
export type { ApkParseResult } from './apk-installed';
