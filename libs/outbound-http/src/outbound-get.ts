import http, { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import https from 'node:https';
import type { ResolvedAddress } from './outbound-host-policy';
import { pinnedLookup } from './pinned-lookup';

/** No answer (or a stalled body) within the request's timeout. */
export class HttpTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'HttpTimeoutError';
  }
}

export interface OutboundRequest {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Applies until the response headers arrive and then to every pause in the body. */
  readonly timeoutMs: number;
  /** Connect only to these (already policy-checked) addresses; normal DNS when absent. */
  readonly addresses?: readonly ResolvedAddress[];
}

export interface OutboundResponse {
  readonly url: URL;
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Unread: large bodies are streamed, never buffered here. */
  readonly body: IncomingMessage;
}

export interface Agents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

export function createAgents(): Agents {
  return { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
}

/**
 * One GET over node:http(s), connecting only to `addresses` when given (see pinnedLookup). The
 * timeout is ours, not the signal's, so long streams only fail when they stall. Without `agents`
 * every call has its own connection.
 */
export function outboundGet(request: OutboundRequest, agents?: Agents): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    const secure = request.url.protocol === 'https:';
    const req = (secure ? https : http).request(request.url, {
      method: 'GET',
      headers: request.headers,
      signal: request.signal,
      agent: agents ? (secure ? agents.https : agents.http) : false,
      ...(request.addresses ? { lookup: pinnedLookup(request.addresses) } : {}),
    });
    const timer = setTimeout(() => req.destroy(new HttpTimeoutError(request.timeoutMs)), request.timeoutMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      // Destroying the response (not the request) keeps our error instead of a generic "aborted".
      res.setTimeout(request.timeoutMs, () => res.destroy(new HttpTimeoutError(request.timeoutMs)));
      resolve({ url: request.url, status: res.statusCode ?? 0, headers: res.headers, body: res });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Buffers a small body (manifests, configs, tokens, error documents) up to `limit` bytes. */
export async function readBody(body: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(body.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    body.destroy();
    throw new BodyTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      body.destroy();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** An error document is only a hint for the message; failing to read it must not hide the status. */
export async function readErrorBody(body: IncomingMessage): Promise<Buffer | undefined> {
  try {
    return await readBody(body, 64 * 1024);
  } catch {
    return undefined;
  }
}

/** Lets a keep-alive socket be reused when we do not need the body (401s, redirects). */
export function discard(body: IncomingMessage): void {
  body.resume();
  body.on('error', () => undefined);
}
