/** The result of comparing two versions: `a < b`, `a = b` or `a > b`. */
export type Comparison = -1 | 0 | 1;

/** One ecosystem's version syntax and ordering. */
export interface VersionScheme {
  /** The scheme's own name: `dpkg`, `apk`, `rpm`, `npm`, `pypi`, `go`, `maven` or `semver`. */
  readonly name: string;
  /** Whether `version` is a version this scheme can order (compare never throws for it). */
  isValid(version: string): boolean;
  /** Orders two versions; throws {@link InvalidVersionError} when either is not valid. */
  compare(a: string, b: string): Comparison;
}

/** A version string that a scheme cannot parse. The message names the input and the scheme. */
export class InvalidVersionError extends Error {
  override readonly name = 'InvalidVersionError';

  constructor(
    /** The offending input, exactly as given. */
    readonly version: string,
    /** The scheme that rejected it (`dpkg`, `apk`, ...). */
    readonly scheme: string,
    /** Why it was rejected, without the version or the scheme. */
    readonly reason: string,
  ) {
    super(`invalid ${scheme} version ${JSON.stringify(version)}: ${reason}`);
  }
}

/** Versions longer than this are rejected outright, whatever the scheme. */
export const MAX_VERSION_LENGTH = 1024;

/**
 * What a parser returns for input it rejects. A plain object rather than a thrown error so that
 * rejected inputs can be cached like accepted ones and `isValid` costs no exception.
 */
export class Rejected {
  constructor(readonly reason: string) {}
}

/** -1, 0 or 1 with the sign of `n`. */
export function sign(n: number): Comparison {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/**
 * A bounded memo of parse results (accepted and rejected). Matching compares the same few
 * thousand strings over and over, so parsing each once dominates the savings; when full, the
 * oldest entry goes (insertion order), which costs nothing on a hit.
 */
export class ParseCache<T> {
  private readonly entries = new Map<string, T | Rejected>();

  constructor(
    private readonly parse: (version: string) => T | Rejected,
    private readonly capacity = 16_384,
  ) {}

  get(version: string): T | Rejected {
    let parsed = this.entries.get(version);
    if (parsed === undefined) {
      parsed = this.parse(version);
      if (this.entries.size >= this.capacity) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      this.entries.set(version, parsed);
    }
    return parsed;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Builds a scheme from a parser and an ordering of parsed values. The common checks (a string,
 * not empty, not absurdly long) happen here; `parse` sees only strings that passed them.
 */
export function defineScheme<T>(
  name: string,
  parse: (version: string) => T | Rejected,
  compareParsed: (a: T, b: T) => Comparison,
): VersionScheme {
  const cache = new ParseCache<T>((version) => {
    if (version.length === 0) return new Rejected('version string is empty');
    if (version.length > MAX_VERSION_LENGTH) return new Rejected(`longer than ${MAX_VERSION_LENGTH} characters`);
    return parse(version);
  });

  const parsed = (version: string): T => {
    if (typeof version !== 'string') throw new InvalidVersionError(String(version), name, 'not a string');
    const result = cache.get(version);
    if (result instanceof Rejected) throw new InvalidVersionError(version, name, result.reason);
    return result;
  };

  return Object.freeze({
    name,
    isValid(version: string): boolean {
      return typeof version === 'string' && !(cache.get(version) instanceof Rejected);
    },
    compare(a: string, b: string): Comparison {
      const left = parsed(a);
      const right = parsed(b);
      return a === b ? 0 : compareParsed(left, right);
    },
  });
}
