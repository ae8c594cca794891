import { Readable, Transform, type TransformCallback } from 'node:stream';
import { TempSpool } from '@vulnscan/analysis';
import { followRedirects, outboundGet, OutboundResponse } from '@vulnscan/outbound-http';
import { FeedSourceError, errorMessage } from '../errors';
import type { ResolvedReadOptions } from './limits';

export interface HttpBody {
  /** The body, limited to `maxDownloadBytes`, and to `httpTimeoutMs` between two pieces of it. */
  body: Readable;
  contentType: string;
}

/** Feed servers (and the CDNs behind them) redirect; more hops than this is a broken feed. */
const MAX_REDIRECTS = 10;

/**
 * GET `url` through the outbound-HTTP module, following redirects to http(s) targets. Feed URLs are
 * operator configuration, so no host policy applies (as for configured cache upstreams). Any answer
 * but 2xx fails the source, as does no answer (or a stalled body) within the timeout: a feed server
 * that hangs must not hang the import.
 */
export async function httpGet(url: string, options: ResolvedReadOptions, label: string): Promise<HttpBody> {
  if (options.signal?.aborted) throw new FeedSourceError(label, 'aborted');
  const failure = (err: unknown): FeedSourceError =>
    err instanceof FeedSourceError ? err : new FeedSourceError(label, `GET ${url}: ${errorMessage(err)}`, { cause: err });

  let response: OutboundResponse;
  try {
    const send = (target: URL) => outboundGet({ url: target, headers: {}, signal: options.signal, timeoutMs: options.httpTimeoutMs });
    response = await followRedirects(new URL(url), send, { maxRedirects: MAX_REDIRECTS, checkHop: onlyHttp });
  } catch (err) {
    throw failure(err);
  }
  if (response.status < 200 || response.status >= 300) {
    response.body.destroy();
    throw new FeedSourceError(label, `GET ${url}: HTTP ${response.status} ${response.body.statusMessage ?? ''}`.trimEnd());
  }

  let received = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      received += chunk.length;
      if (received > options.maxDownloadBytes) {
        callback(new FeedSourceError(label, `GET ${url}: the body is over the ${options.maxDownloadBytes}-byte limit`));
        return;
      }
      callback(null, chunk);
    },
  });
  const source = response.body;
  source.on('error', (err) => guard.destroy(failure(err)));
  guard.on('close', () => source.destroy());
  source.pipe(guard);
  return { body: guard, contentType: String(response.headers['content-type'] ?? '') };
}

function onlyHttp(_from: URL, to: URL): void {
  if (to.protocol !== 'http:' && to.protocol !== 'https:') throw new Error(`refusing a redirect to ${to.protocol}//${to.host}`);
}

/**
 * Downloads `url` into a bounded temp file, for formats read by random access (zip) or that are
 * better not parsed while still arriving. The caller disposes of the spool.
 */
export async function downloadToSpool(url: string, options: ResolvedReadOptions, label: string): Promise<TempSpool> {
  const { body } = await httpGet(url, options, label);
  let spool: TempSpool;
  try {
    spool = await TempSpool.create(options.maxDownloadBytes, options.tempDir);
  } catch (err) {
    body.destroy();
    throw new FeedSourceError(label, `cannot create a temp file for ${url}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    for await (const chunk of body) {
      if (!(await spool.write(chunk as Buffer))) {
        throw new FeedSourceError(label, `GET ${url}: the body is over the ${options.maxDownloadBytes}-byte limit`);
      }
    }
    return spool;
  } catch (err) {
    body.destroy();
    await spool.dispose();
    throw err instanceof FeedSourceError ? err : new FeedSourceError(label, `GET ${url}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Downloads a body of at most `maxBytes` into memory (one JSON document). */
export async function downloadBuffer(
  url: string,
  maxBytes: number,
  options: ResolvedReadOptions,
  label: string,
): Promise<HttpBody & { data: Buffer }> {
  const answer = await httpGet(url, options, label);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of answer.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw new FeedSourceError(label, `GET ${url}: the document is over the ${maxBytes}-byte limit`);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    answer.body.destroy();
    throw err instanceof FeedSourceError ? err : new FeedSourceError(label, `GET ${url}: ${errorMessage(err)}`, { cause: err });
  }
  return { ...answer, data: Buffer.concat(chunks, size) };
}
