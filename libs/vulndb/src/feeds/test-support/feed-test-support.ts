import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import type { Advisory, FeedItem, SkippedRecord } from '../../model';

export interface Collected {
  advisories: Advisory[];
  skipped: SkippedRecord[];
}

/** Everything a feed read yields, advisories and skipped records apart. */
export async function collect(items: AsyncIterable<FeedItem>): Promise<Collected> {
  const collected: Collected = { advisories: [], skipped: [] };
  for await (const item of items) {
    if (item.kind === 'advisory') collected.advisories.push(item.advisory);
    else collected.skipped.push(item.skipped);
  }
  return collected;
}

/** The first thing `items` throws (failing the test when it throws nothing). */
export async function readError(items: AsyncIterable<FeedItem>): Promise<Error> {
  try {
    for await (const _item of items) {
      // drain
    }
  } catch (err) {
    return err as Error;
  }
  throw new Error('the read did not fail');
}

export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), 'vulndb-feeds-spec-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface FixtureServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** Requests seen, as paths. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server: files under `root` by path, `/status/<code>` answers that status, and
 * `/hang/…` accepts the request and never answers (for timeouts), `/moved/<path>` redirects to
 * `<path>` and `/loop/…` redirects to itself.
 */
export async function serveFiles(root: string, port: number): Promise<FixtureServer> {
  const requests: string[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    requests.push(path);
    const status = /^\/status\/(\d{3})(\/|$)/.exec(path);
    if (status) {
      res.writeHead(Number(status[1]), { 'content-type': 'text/plain' }).end(`status ${status[1]}\n`);
      return;
    }
    if (path.startsWith('/hang/')) {
      hanging.add(res);
      return;
    }
    if (path.startsWith('/moved/')) {
      res.writeHead(302, { location: path.slice('/moved'.length) }).end();
      return;
    }
    if (path.startsWith('/loop/')) {
      res.writeHead(302, { location: path }).end();
      return;
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    stat(file).then(
      (info) => {
        if (!info.isFile()) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-length': info.size, 'content-type': 'application/octet-stream' });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
