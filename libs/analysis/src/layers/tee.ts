import { PassThrough } from 'node:stream';

/** One consumer of a teed stream: the stream it reads, and a promise that settles when it is done. */
export interface Branch {
  stream: PassThrough;
  done: Promise<unknown>;
}

export interface TeeOptions<B extends Branch> {
  /** How long a consumer may leave a full buffer unread before it is cut off. */
  stallMs: number;
  onStall(branch: B): void;
  signal?: AbortSignal;
}

/**
 * Copies `source` to every branch at the pace of the slowest one still reading. A branch whose
 * consumer has finished is dropped at once, and one that reads nothing for `stallMs` is cut off
 * with an error: the walk never waits on an analyzer that ignores its stream.
 */
export async function tee<B extends Branch>(source: AsyncIterable<Buffer>, branches: B[], options: TeeOptions<B>): Promise<void> {
  const live = new Set<B>();
  for (const branch of branches) {
    // The consumer may never listen; an error nobody hears must not crash the worker.
    branch.stream.on('error', () => undefined);
    live.add(branch);
    void branch.done.finally(() => {
      if (live.delete(branch)) branch.stream.destroy();
    });
  }
  try {
    for await (const chunk of source) {
      options.signal?.throwIfAborted();
      const waits: Promise<void>[] = [];
      for (const branch of live) if (!branch.stream.write(chunk)) waits.push(room(branch, live, options));
      if (waits.length > 0) await Promise.all(waits);
    }
    options.signal?.throwIfAborted();
    for (const branch of live) branch.stream.end();
  } catch (err) {
    for (const branch of live) branch.stream.destroy(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

/** Resolves when the branch can take more, has gone, or has been cut off for stalling. */
function room<B extends Branch>(branch: B, live: Set<B>, options: TeeOptions<B>): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      branch.stream.off('drain', finish);
      branch.stream.off('close', finish);
      options.signal?.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(() => {
      if (live.delete(branch)) {
        branch.stream.destroy(new Error(`not read for ${options.stallMs} ms; cut off`));
        options.onStall(branch);
      }
      finish();
    }, options.stallMs);
    branch.stream.once('drain', finish);
    branch.stream.once('close', finish);
    // A branch whose consumer finishes is destroyed by tee, which fires 'close'.
    options.signal?.addEventListener('abort', finish, { once: true });
  });
}
