import http, { IncomingMessage } from 'node:http';
import https from 'node:https';
import { pinnedLookup, ResolvedAddress } from '@vulnscan/outbound-http';

export interface WebhookRequest {
  url: URL;
  /** Connect only to these (policy-checked) addresses; normal DNS when absent. */
  addresses?: readonly ResolvedAddress[];
  headers: Record<string, string>;
  body: string;
  /** From the first byte sent to the answer's status line (and the little of its body we read). */
  timeoutMs: number;
}

export interface WebhookResponse {
  /** The receiver's HTTP status; null when none arrived. */
  statusCode: number | null;
  /** Why there was no 2xx, in a line; null on success. */
  error: string | null;
  /** Seconds from Retry-After, when the receiver sent one. */
  retryAfter: string | undefined;
  durationMs: number;
}

/** Most of a receiver's answer we read (for the error message); the rest is dropped. */
const ANSWER_SNIPPET_BYTES = 512;

/**
 * One POST to a receiver. Never throws and never hangs: every outcome (timeout, refused
 * connection, TLS error, garbage instead of HTTP, a huge or endless answer) becomes a result.
 * Redirects are not followed: a 3xx is a failed attempt.
 */
export function postWebhook(request: WebhookRequest): Promise<WebhookResponse> {
  const started = performance.now();
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = (request.url.protocol === 'https:' ? https : http).request(request.url, {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        agent: false,
        ...(request.addresses ? { lookup: pinnedLookup(request.addresses) } : {}),
      });
    } catch (error) {
      return resolve({ statusCode: null, error: describe(error as NodeJS.ErrnoException), retryAfter: undefined, durationMs: 0 });
    }
    let settled = false;
    let statusCode: number | null = null;
    let retryAfter: string | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(() => finish(`timed out after ${request.timeoutMs} ms`), request.timeoutMs);
    const finish = (error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      const durationMs = Math.round(performance.now() - started);
      if (statusCode === null) return resolve({ statusCode, error: error ?? 'no answer', retryAfter, durationMs });
      const ok = statusCode >= 200 && statusCode < 300;
      resolve({ statusCode, error: ok ? null : answerError(statusCode, Buffer.concat(chunks)), retryAfter, durationMs });
    };
    req.on('response', (res: IncomingMessage) => {
      statusCode = res.statusCode ?? null;
      const header = res.headers['retry-after'];
      retryAfter = Array.isArray(header) ? header[0] : header;
      res.on('data', (chunk: Buffer) => {
        if (received < ANSWER_SNIPPET_BYTES) chunks.push(chunk.subarray(0, ANSWER_SNIPPET_BYTES - received));
        received += chunk.length;
        if (received >= ANSWER_SNIPPET_BYTES) finish(null);
      });
      res.on('end', () => finish(null));
      res.on('error', () => finish(null));
      res.on('close', () => finish(null));
    });
    req.on('error', (error: NodeJS.ErrnoException) => finish(describe(error)));
    req.end(request.body);
  });
}

function describe(error: NodeJS.ErrnoException): string {
  const code = error.code ? `${error.code}: ` : '';
  return `${code}${error.message}`.slice(0, 300);
}

function answerError(statusCode: number, body: Buffer): string {
  const text = body
    .toString('utf8')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, 200);
  return text ? `HTTP ${statusCode}: ${text}` : `HTTP ${statusCode}`;
}
