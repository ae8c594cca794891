export { affects } from './affects';
export { CandidateIndex, indexCandidates } from './candidate-index';
export { comparableName, matchKey, normalizePypiName } from './match-key';
export { UNKNOWN_ECOSYSTEM, matchPackages } from './match-packages';
export type {
  AffectsResult,
  Candidate,
  CoverageEntry,
  Finding,
  FindingPackage,
  MatchInput,
  MatchKey,
  MatchPackage,
  MatchResult,
  SeveritySource,
} from './types';
