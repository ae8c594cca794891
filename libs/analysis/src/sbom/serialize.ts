import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { InvalidReferenceError, parseImageReference } from '@vulnscan/image-reference';
import { SbomDto } from './sbom.dto';
import type { Sbom } from './sbom.model';

/** A stored SBOM that cannot be read back as it is; the caller regenerates it. */
export class InvalidSbomError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`stored SBOM is invalid: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? '; …' : ''}`);
    this.name = 'InvalidSbomError';
  }
}

export function serializeSbom(sbom: Sbom): string {
  return JSON.stringify(sbom);
}

/** Reads a stored SBOM back from its JSON text. Throws InvalidSbomError. */
export function parseSbom(json: string | Buffer): Sbom {
  let plain: unknown;
  try {
    plain = JSON.parse(typeof json === 'string' ? json : json.toString('utf8'));
  } catch (error) {
    throw new InvalidSbomError([`not JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return validateSbom(plain);
}

/**
 * Checks a value (a parsed JSON text, or a jsonb column) against the SBOM model and returns it as
 * an Sbom. Unknown fields are kept: a newer writer of the same schema version may add optional
 * ones during a rolling deploy. Throws InvalidSbomError.
 */
export function validateSbom(plain: unknown): Sbom {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new InvalidSbomError(['expected an object']);
  }
  const errors = validateSync(plainToInstance(SbomDto, plain), { forbidUnknownValues: true });
  const problems = describe(errors);
  const sbom = plain as Sbom;
  if (problems.length === 0) problems.push(...duplicateIds(sbom), ...referenceProblems(sbom));
  if (problems.length > 0) throw new InvalidSbomError(problems);
  return sbom;
}

/** Exports use ids as bom-refs and SPDX ids, which must be unique within a document. */
function duplicateIds(sbom: Sbom): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const { id } of sbom.packages) (seen.has(id) ? duplicates : seen).add(id);
  return [...duplicates].map((id) => `packages: id ${JSON.stringify(id)} is not unique`);
}

/** Exports derive the image's name and purl from the reference, so it must parse. */
function referenceProblems(sbom: Sbom): string[] {
  try {
    parseImageReference(sbom.image.reference);
    return [];
  } catch (error) {
    if (error instanceof InvalidReferenceError) return [`image.reference: ${error.reason}`];
    throw error;
  }
}

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) => `${path}: ${text}`);
    return [...own, ...describe(error.children ?? [], path)];
  });
}
