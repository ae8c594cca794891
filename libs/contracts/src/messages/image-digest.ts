import { digestProblem } from '@vulnscan/image-reference';
import { ValidatedBy } from './outbound-url';

/**
 * A digest in the platform's one grammar (sha256, sha384 or sha512, lowercase hex of the right
 * length): what the registry client can verify, so a message never carries a digest nobody checks.
 */
export const IsImageDigest = (): PropertyDecorator =>
  ValidatedBy('isImageDigest', (value) => (typeof value === 'string' ? digestProblem(value) : 'digest must be a string'));
