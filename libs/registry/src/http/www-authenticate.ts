export interface AuthChallenge {
  /** Lowercase scheme: `basic`, `bearer`, … */
  readonly scheme: string;
  /** Parameter names lowercased; values unquoted. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses a `WWW-Authenticate` value (RFC 9110 §11.6.1). Node joins repeated headers with ", ", so
 * one string may hold several challenges: a token not followed by "=" starts a new one.
 */
export function parseWwwAuthenticate(header: string | readonly string[] | undefined): AuthChallenge[] {
  const text = Array.isArray(header) ? header.join(', ') : ((header as string | undefined) ?? '');
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const skip = (pattern: RegExp) => {
    while (i < text.length && pattern.test(text[i]!)) i++;
  };
  const token = () => {
    const start = i;
    skip(/[!#$%&'*+.^_`|~0-9A-Za-z-]/);
    return text.slice(start, i);
  };

  while (i < text.length) {
    skip(/[\s,]/);
    const name = token();
    if (!name) {
      i++; // stray character: skip it rather than loop forever
      continue;
    }
    skip(/[ \t]/);
    if (text[i] === '=' && challenges.length > 0) {
      i++;
      skip(/[ \t]/);
      challenges[challenges.length - 1]!.params[name.toLowerCase()] = readValue();
    } else {
      // A token68 credential (`Negotiate abc==`) would read as a parameter; we never need one.
      challenges.push({ scheme: name.toLowerCase(), params: {} });
    }
  }
  return challenges;

  function readValue(): string {
    if (text[i] !== '"') {
      // Strictly a token, but realms are often sent unquoted with ":" and "/" in them.
      const start = i;
      skip(/[^,\s]/);
      return text.slice(start, i);
    }
    i++;
    let value = '';
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      value += text[i];
      i++;
    }
    i++; // closing quote
    return value;
  }
}

/** Bearer beats Basic: a token never exposes the password to the registry on every request. */
export function preferredChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}
