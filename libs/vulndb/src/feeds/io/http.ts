import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TempSpool } from '@vulnscan/analysis';
import { FeedSourceError, errorMessage } from '../errors';
import type { ResolvedReadOptions } from './limits';

export interface HttpBody {
  /** The body, limited to `maxDownloadBytes`, and to `httpTimeoutMs` between two pieces of it. */
  body: Readable;
  contentType: string;
}

/**
 * GET `url`. Any answer but 2xx fails the source, as does no answer (or a stalled body) within
 * the timeout: a feed server that hangs must not hang the import.
 */
export async function httpGet(url: string, options: ResolvedReadOptions, label: string): Promise<HttpBody> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) throw new FeedSourceError(label, 'aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.httpTimeoutMs);
  };
  const disarm = () => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  };
  const failure = (err: unknown): FeedSourceError =>
    err instanceof FeedSourceError
      ? err
      : new FeedSourceError(label, timedOut ? `GET ${url}: no answer within ${options.httpTimeoutMs} ms` : `GET ${url}: ${causeOf(err)}`, {
          cause: err,
        });

  arm();
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
  } catch (err) {
    disarm();
    throw failure(err);
  }
  if (!response.ok || !response.body) {
    disarm();
    await response.body?.cancel().catch(() => undefined);
    throw new FeedSourceError(label, `GET ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  }

  let received = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      received += chunk.length;
      if (received > options.maxDownloadBytes) {
        callback(new FeedSourceError(label, `GET ${url}: the body is over the ${options.maxDownloadBytes}-byte limit`));
        return;
      }
      arm();
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      disarm();
      callback();
    },
  });
  const source = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  source.on('error', (err) => guard.destroy(failure(err)));
  guard.on('close', () => {
    disarm();
    source.destroy();
  });
  source.pipe(guard);
  return { body: guard, contentType: response.headers.get('content-type') ?? '' };
}

/** undici hides the network error (ECONNREFUSED, a reset) in `cause`. */
function causeOf(err: unknown): string {
  const cause = typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
  return cause === undefined ? errorMessage(err) : `${errorMessage(err)}: ${errorMessage(cause)}`;
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
