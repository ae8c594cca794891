export { severityFromCvss, normalizeSeverity, compareSeverity, maxSeverity } from './severity';
export { parseCvss, compareCvssType } from './cvss';
