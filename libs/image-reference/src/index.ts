export {
  DOCKER_HUB,
  InvalidReferenceError,
  formatReference,
  isRegistryHost,
  normalizeRegistryHost,
  parseImageReference,
  parseRepositoryName,
  referenceFromParts,
} from './image-reference';
export type { ImageReference } from './image-reference';
export { createDigester, digestOf, digestProblem, isDigest, parseDigest } from './digest';
export type { DigestAlgorithm, ParsedDigest } from './digest';
