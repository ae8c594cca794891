import { ValidateBy } from 'class-validator';

/**
 * The checks every outbound URL a tenant gives shares (upstreams, webhooks): an absolute http(s)
 * URL naming a host, at most `maxLength` characters, without credentials (`credentialsHint` says
 * where they go instead). Answers the parsed URL, or what is wrong with it.
 */
export function parseOutboundUrl(value: unknown, maxLength: number, credentialsHint: string): URL | string {
  if (typeof value !== 'string' || value.trim() === '') return 'url must be an absolute http(s) URL';
  if (value.length > maxLength) return `url must be at most ${maxLength} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `url must use http or https, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username || url.password) return `url must not contain credentials (user:password@); ${credentialsHint}`;
  if (!url.hostname) return 'url must name a host';
  return url;
}

/** A class-validator rule from a function naming what is wrong with a value (undefined: nothing). */
export const ValidatedBy = (name: string, problem: (value: unknown) => string | undefined): PropertyDecorator =>
  ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => problem(value) === undefined,
      defaultMessage: (args) => problem(args?.value) ?? `${name}: invalid`,
    },
  });
