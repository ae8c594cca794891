import { registerDecorator, ValidationOptions } from 'class-validator';

/** Bits a secret must carry: as many as 32 random bytes. */
const REQUIRED_BITS = 256;

/** Values copied from a template or a tutorial rather than generated. */
const PLACEHOLDER = /change[-_ ]?me|replace[-_ ]?me|placeholder|example|dummy|your[-_ ]?(?:key|token|secret)/i;

/** The properties (by name) holding secrets: configuration errors never print their values. */
export const SECRET_PROPERTIES: ReadonlySet<string> = new Set<string>();

/**
 * The bits a secret can carry at most, judged by its alphabet: a hex string 4 per character,
 * base64 6, anything else by the character classes it uses. A value that repeats a few characters
 * (`cdcdcd…`, `0000…`) carries far less than its length suggests, so few distinct characters count
 * as a weak value whatever the length.
 */
export function secretBits(value: string): number {
  if (new Set(value).size < 10) return 0;
  if (/^[0-9a-f]+$/i.test(value)) return value.length * 4;
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return value.replace(/=+$/, '').length * 6;
  const alphabet =
    (/[a-z]/.test(value) ? 26 : 0) +
    (/[A-Z]/.test(value) ? 26 : 0) +
    (/[0-9]/.test(value) ? 10 : 0) +
    (/[^A-Za-z0-9]/.test(value) ? 33 : 0);
  return Math.floor(value.length * Math.log2(alphabet));
}

/** Why `value` is not a usable secret, or undefined when it is. */
export function secretProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (PLACEHOLDER.test(value)) return 'is a placeholder: generate one, e.g. `openssl rand -hex 32`';
  if (secretBits(value) < REQUIRED_BITS)
    return 'is too weak: a secret needs 32 random bytes (64 hex or 43 base64 characters), e.g. `openssl rand -hex 32`';
  return undefined;
}

/** A value that may hold a password (a URL with credentials, a JSON of credentials): errors name it, never print it. */
export function WithheldFromErrors(): PropertyDecorator {
  return (_target: object, propertyName: string | symbol) => {
    (SECRET_PROPERTIES as Set<string>).add(String(propertyName));
  };
}

/**
 * A secret of the platform (API key, token, encryption key): at least 32 random bytes and not a
 * template's placeholder. Its value never appears in a configuration error.
 */
export function IsSecret(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    WithheldFromErrors()(target, propertyName);
    registerDecorator({
      name: 'isSecret',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => secretProblem(value) === undefined,
        defaultMessage: (args) => secretProblem(args?.value) ?? 'is not a valid secret',
      },
    });
  };
}
