import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';

/** HTTP-like statuses of the registry failures a caller can act on; everything else is the registry's fault (502). */
const STATUS: Partial<Record<ScanErrorCode, number>> = {
  [ScanErrorCode.NotFound]: 404,
  [ScanErrorCode.HostNotAllowed]: 403,
  [ScanErrorCode.Unauthorized]: 401,
  [ScanErrorCode.RateLimited]: 429,
};

/** A registry failure while listing `subject` (e.g. "the tags of ghcr.io/org/app"), as the command's answer. */
export function listingRejection(error: ScanError, subject: string): CommandRejectedError {
  const retryAfter = error.retryAfterSeconds === undefined ? undefined : Math.ceil(error.retryAfterSeconds);
  const wait = retryAfter === undefined ? '' : `; the registry asks to retry after ${retryAfter} s`;
  return new CommandRejectedError(error.code, `Cannot list ${subject}: ${error.message}${wait}`, STATUS[error.code] ?? 502, retryAfter);
}
