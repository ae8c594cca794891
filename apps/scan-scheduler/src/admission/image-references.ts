import { SchedulerErrorCode } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';
import { formatReference, InvalidReferenceError, parseImageReference } from '@vulnscan/image-reference';

/** An image reference in its one normalized spelling: the key scans are deduplicated on, per tenant. */
export interface NormalizedImage {
  image: string;
  registry: string;
  repository: string;
}

/** How a batch's references are admitted. */
export interface BatchReferencePolicy {
  /** References matching it (after normalization) are left out and counted as skipped. */
  skip?: RegExp;
  /** A reference that does not parse: refused (a request the user typed) or skipped (a registry's list). */
  invalid: 'reject' | 'skip';
  /** Most distinct images one batch may scan (BATCH_MAX_IMAGES). */
  maxImages: number;
}

export interface NormalizedBatch {
  /** Distinct images in the order first seen: two spellings of one image are one scan. */
  images: NormalizedImage[];
  /** References left out by the skip pattern or because they do not parse. */
  skipped: number;
}

/** At most this many invalid references are quoted in a rejection, so the message stays readable. */
const INVALID_SHOWN = 5;

function parse(input: string): NormalizedImage {
  const reference = parseImageReference(input);
  return { image: formatReference(reference), registry: reference.registry, repository: reference.repository };
}

/** One image a user or a service asked to scan; an invalid reference is refused (`invalid_reference`, 400). */
export function normalizeImage(input: string): NormalizedImage {
  try {
    return parse(input);
  } catch (error) {
    const reason = error instanceof InvalidReferenceError ? error.reason : String(error);
    throw new CommandRejectedError(SchedulerErrorCode.InvalidReference, `image: ${reason}`);
  }
}

/**
 * A batch's references, normalized and deduplicated. Invalid ones are refused all together
 * (`invalid_reference`, 400, quoting the first few) or skipped; a batch of more distinct images than
 * the limit is refused (`too_many_images`, 422) — skipped and duplicate references do not count.
 */
export function normalizeBatch(references: readonly string[], policy: BatchReferencePolicy): NormalizedBatch {
  const byImage = new Map<string, NormalizedImage>();
  const invalid: string[] = [];
  let skipped = 0;
  for (const input of references) {
    let normalized: NormalizedImage;
    try {
      normalized = parse(input);
    } catch (error) {
      if (!(error instanceof InvalidReferenceError)) throw error;
      invalid.push(`${JSON.stringify(input)}: ${error.reason}`);
      continue;
    }
    if (policy.skip?.test(normalized.image)) skipped += 1;
    else byImage.set(normalized.image, normalized);
  }
  if (invalid.length > 0 && policy.invalid === 'reject') {
    const shown = invalid.slice(0, INVALID_SHOWN).join('; ');
    throw new CommandRejectedError(
      SchedulerErrorCode.InvalidReference,
      `${invalid.length} image reference(s) are not valid: ${shown}${invalid.length > INVALID_SHOWN ? '; ...' : ''}`,
    );
  }
  if (byImage.size > policy.maxImages) {
    throw new CommandRejectedError(
      SchedulerErrorCode.TooManyImages,
      `the batch would scan ${byImage.size} images; at most ${policy.maxImages} (BATCH_MAX_IMAGES)`,
    );
  }
  return { images: [...byImage.values()], skipped: skipped + invalid.length };
}
