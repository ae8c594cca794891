export { JavaArchiveAnalyzer, DEFAULT_JAVA_LIMITS } from './java-analyzer';
export { ArchiveWalk, JAVA_ARCHIVE, type ArchiveLimits } from './archive-walk';
export { mavenPackage, POM_PROPERTIES } from './maven';
export { parseProperties } from './properties';
export { parseManifest, describeManifest } from './manifest';
