import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A proxy in front of a real registry that holds blob GETs until the test lets them through:
 * how a test makes "the manifest is cached, its blobs are still on their way" happen on cue.
 */
export interface GatedUpstream {
  /** `127.0.0.1:<port>`, the upstream's registry host for references and CACHE_UPSTREAMS. */
  readonly host: string;
  readonly url: string;
  /** Blob GETs that reached the proxy, by digest (held ones included). */
  readonly blobGets: Map<string, number>;
  release(digest: string): void;
  releaseAll(): void;
  close(): Promise<void>;
}

const BLOB_PATH = /^\/v2\/.+\/blobs\/(sha256:[a-f0-9]{64})$/;

export async function startGatedUpstream(target: string): Promise<GatedUpstream> {
  const released = new Set<string>();
  let all = false;
  const waiting = new Map<string, (() => void)[]>();
  const blobGets = new Map<string, number>();
  const upstream = new URL(target);

  const forward = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = http.createServer((req, res) => {
    const digest = BLOB_PATH.exec(new URL(req.url ?? '/', 'http://x').pathname)?.[1];
    if (!digest || req.method !== 'GET') return forward(req, res);
    blobGets.set(digest, (blobGets.get(digest) ?? 0) + 1);
    if (all || released.has(digest)) return forward(req, res);
    const queue = waiting.get(digest) ?? [];
    queue.push(() => forward(req, res));
    waiting.set(digest, queue);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const open = (digest: string): void => {
    for (const go of waiting.get(digest) ?? []) go();
    waiting.delete(digest);
  };
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    blobGets,
    release(digest) {
      released.add(digest);
      open(digest);
    },
    releaseAll() {
      all = true;
      for (const digest of [...waiting.keys()]) open(digest);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
