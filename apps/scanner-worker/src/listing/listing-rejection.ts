import { ScanError } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';

/** A registry failure while listing `subject` (e.g. "the tags of ghcr.io/org/app"), as the command's answer: its scan error code. */
export function listingRejection(error: ScanError, subject: string): CommandRejectedError {
  const retryAfter = error.retryAfterSeconds === undefined ? undefined : Math.ceil(error.retryAfterSeconds);
  const wait = retryAfter === undefined ? '' : `; the registry asks to retry after ${retryAfter} s`;
  return new CommandRejectedError(error.code, `Cannot list ${subject}: ${error.message}${wait}`, { retryAfterSeconds: retryAfter });
}
