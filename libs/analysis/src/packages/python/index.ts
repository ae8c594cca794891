export { PythonAnalyzer, DEFAULT_PYTHON_LIMITS, type PythonAnalyzerLimits } from './python-analyzer';
export { parsePythonMetadata, parseCoreMetadataHeaders, pythonLicenses } from './metadata';
export { normalizePythonName } from './pep503';
