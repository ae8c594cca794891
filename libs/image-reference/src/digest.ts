import { createHash, Hash } from 'node:crypto';

/**
 * Digests we can verify. Other algorithms pass the distribution grammar but we could never check
 * the content against them, so they are rejected up front rather than trusted blindly.
 */
const HEX_LENGTH = { sha256: 64, sha384: 96, sha512: 128 } as const;
export type DigestAlgorithm = keyof typeof HEX_LENGTH;

export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
}

/** Why `value` is not a digest we accept, or undefined when it is one. */
export function digestProblem(value: string): string | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0) return `digest "${value}" must have the form algorithm:hex`;
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  if (!Object.prototype.hasOwnProperty.call(HEX_LENGTH, algorithm)) {
    return `digest algorithm "${algorithm}" is not supported (sha256, sha384, sha512)`;
  }
  const length = HEX_LENGTH[algorithm as DigestAlgorithm];
  if (!new RegExp(`^[a-f0-9]{${length}}$`).test(hex)) {
    return `${algorithm} digest must be ${length} lowercase hex characters`;
  }
  return undefined;
}

export function isDigest(value: string): boolean {
  return digestProblem(value) === undefined;
}

/** Parses a digest that was already validated; throws a plain Error otherwise (a programming error). */
export function parseDigest(value: string): ParsedDigest {
  const problem = digestProblem(value);
  if (problem) throw new Error(problem);
  const [algorithm, hex] = value.split(':') as [DigestAlgorithm, string];
  return { algorithm, hex };
}

export function createDigester(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}

export function digestOf(bytes: Buffer, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}
