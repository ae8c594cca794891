/** The longest error message a message carries (ScanErrorDto.message and its kin), in characters. */
export const MESSAGE_TEXT_MAX = 4000;

/** NUL, and UTF-16 surrogates without their other half: Postgres `jsonb` refuses both, so an outbox row holding one fails. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Whether a text holds a character no message may carry (see `messageText`). */
export function hasUnstorableCharacters(text: string): boolean {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text);
}

/**
 * Text from outside (a registry's error body, a manifest's platform names, an exception message)
 * made fit for a message: NUL and lone surrogates removed, and cut to `max` characters on a code
 * point boundary, the cut marked with an ellipsis. Whatever the text, the result passes the
 * contracts' MaxLength and can be stored in the outbox.
 */
export function messageText(text: string, max: number = MESSAGE_TEXT_MAX): string {
  const clean = text.replace(UNSTORABLE, '');
  if (clean.length <= max) return clean;
  let end = max - 1;
  // Never keep the high half of a pair whose low half is cut off.
  if (/[\uD800-\uDBFF]/.test(clean[end - 1] ?? '')) end -= 1;
  return `${clean.slice(0, end)}…`;
}
