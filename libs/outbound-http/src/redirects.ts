import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export interface RedirectableResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: IncomingMessage;
}

export interface RedirectRules {
  /** Redirects followed; one more is an Unreachable error. */
  readonly maxRedirects: number;
  /** Throws when `from` may not send us to `to` (a scheme downgrade, say); the host policy is `send`'s. */
  readonly checkHop: (from: URL, to: URL) => void;
}

/**
 * GETs `start` through `send` and follows redirects, at most `maxRedirects` of them. Every hop goes
 * through `send` again, so the caller's host policy and pinned lookup apply to each target, not only
 * to the first host. Returns the first answer that is not a redirect, its body unread.
 */
export async function followRedirects<R extends RedirectableResponse>(
  start: URL,
  send: (url: URL) => Promise<R>,
  rules: RedirectRules,
): Promise<R> {
  let url = start;
  for (let hop = 0; hop <= rules.maxRedirects; hop++) {
    const response = await send(url);
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.status) || !location) return response;
    // Dropping the body lets the keep-alive socket be reused.
    response.body.resume();
    response.body.on('error', () => undefined);
    if (hop === rules.maxRedirects) break;
    const next = new URL(location, url);
    rules.checkHop(url, next);
    url = next;
  }
  throw new ScanError(ScanErrorCode.Unreachable, `more than ${rules.maxRedirects} redirects starting at ${start.host}`);
}
