export const EXIT_OK = 0;
/** Some input was invalid (an invalid version, a malformed line); the rest was processed. */
export const EXIT_INVALID = 1;
/** The command line itself was wrong, or the input could not be read. */
export const EXIT_USAGE = 2;

/** A command-line mistake: reported with a short usage text and exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    /** The usage text of the command that was being run. */
    readonly usage: string,
  ) {
    super(message);
  }
}
