import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that reached the front, and who answered it. */
export interface FrontRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v2/library/alpine/manifests/3.10`. */
  readonly path: string;
  /** `Date.now()` when the request arrived (the test process's clock, which the services share). */
  readonly at: number;
  readonly answeredBy: 'front' | 'registry';
  /** The status the client got; for a relayed request, set once the registry's headers are back. */
  status?: number;
}

export interface RateLimitFrontOptions {
  /** The first `times` requests whose path matches get 429 with `Retry-After: <retryAfterSeconds>`. */
  readonly rateLimit?: { readonly path: RegExp; readonly times: number; readonly retryAfterSeconds: number };
  /** Requests whose path matches get 404 MANIFEST_UNKNOWN, as a registry answers for a deleted tag. */
  readonly notFound?: RegExp;
  /** Requests whose path matches get 503, every time: a registry that is down. */
  readonly unavailable?: RegExp;
  /** Requests whose path matches get this status and body, every time: a registry answering what it likes. */
  readonly hostile?: { readonly path: RegExp; readonly status: number; readonly body: string };
}

/**
 * An HTTP front in front of a real registry that answers some requests itself (429 with
 * Retry-After, 404, 503) and relays every other one with its body streamed through unchanged,
 * recording each request with its arrival time so a test can measure how long a client waited.
 */
export interface RateLimitFront {
  /** `127.0.0.1:<port>`, the registry part of image references. */
  readonly host: string;
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly FrontRequest[];
  /** The GETs of exactly this path so far, in arrival order. */
  gets(path: string): FrontRequest[];
  close(): Promise<void>;
}

/** A distribution error document (spec §error-codes), which is what a registry's error bodies are. */
function registryError(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message, detail: null }] });
}

export async function startRateLimitFront(target: string, options: RateLimitFrontOptions): Promise<RateLimitFront> {
  const upstream = new URL(target);
  const requests: FrontRequest[] = [];
  let rateLimited = 0;

  const answer = (res: ServerResponse, entry: FrontRequest, status: number, body: string, headers: Record<string, string> = {}): void => {
    entry.status = status;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://front').pathname;
    const limit = options.rateLimit;
    const limitNow = limit !== undefined && limit.path.test(path) && rateLimited < limit.times;
    const ownAnswer = limitNow || options.notFound?.test(path) || options.unavailable?.test(path) || options.hostile?.path.test(path);
    const entry: FrontRequest = { method: req.method ?? 'GET', path, at: Date.now(), answeredBy: ownAnswer ? 'front' : 'registry' };
    requests.push(entry);
    // The request body (there is none for GET) is not needed for an answer of our own.
    if (ownAnswer) req.resume();

    if (limitNow) {
      rateLimited += 1;
      const retryAfter = String(limit.retryAfterSeconds);
      return answer(res, entry, 429, registryError('TOOMANYREQUESTS', 'too many requests'), { 'retry-after': retryAfter });
    }
    if (options.notFound?.test(path)) return answer(res, entry, 404, registryError('MANIFEST_UNKNOWN', 'manifest unknown'));
    if (options.unavailable?.test(path)) return answer(res, entry, 503, registryError('UNAVAILABLE', 'service unavailable'));
    if (options.hostile?.path.test(path)) return answer(res, entry, options.hostile.status, options.hostile.body);
    relay(req, res, upstream, entry);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    gets: (path) => requests.filter((request) => request.method === 'GET' && request.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Passes the request on and pipes the registry's answer back as it arrives (blobs are never buffered). */
function relay(req: IncomingMessage, res: ServerResponse, upstream: URL, entry: FrontRequest): void {
  const out = http.request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
    (answer) => {
      entry.status = answer.statusCode ?? 502;
      res.writeHead(entry.status, answer.headers);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    },
  );
  out.on('error', () => {
    if (res.headersSent) return void res.destroy();
    entry.status = 502;
    res.writeHead(502).end();
  });
  req.pipe(out);
}
