import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the relay passed on (or answered itself). */
export interface RelayedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v2/library/alpine/blobs/sha256:…`. */
  readonly path: string;
}

export interface CannedAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

type Matcher = (request: RelayedRequest) => boolean;

/**
 * An HTTP relay in front of a registry that counts every request by method and path, so a test
 * can tell exactly what a client behind it (a cache) asked upstream. It can also hold matching
 * requests until the test releases them, and answer matching requests itself (429, 500, …).
 */
export interface CountingRelay {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly RelayedRequest[];
  /** Requests so far with this method (GET by default) and exactly this path. */
  count(path: string, method?: string): number;
  /** Holds matching requests (counted on arrival) until the returned function is called. */
  hold(matches: Matcher): () => void;
  /** Answers matching requests with `answer` instead of relaying them, until the returned function is called. */
  answer(matches: Matcher, answer: CannedAnswer): () => void;
  /** Stops listening and drops open connections: clients then get connection refused. */
  stop(): Promise<void>;
}

export async function startCountingRelay(target: string): Promise<CountingRelay> {
  const upstream = new URL(target);
  const requests: RelayedRequest[] = [];
  const holds = new Set<{ matches: Matcher; waiting: (() => void)[] }>();
  const answers = new Set<{ matches: Matcher; answer: CannedAnswer }>();

  const server = http.createServer((incoming, outgoing) => {
    const seen = { method: incoming.method ?? 'GET', path: new URL(incoming.url ?? '/', 'http://relay').pathname };
    requests.push(seen);
    const canned = [...answers].find((entry) => entry.matches(seen));
    if (canned) {
      outgoing.writeHead(canned.answer.status, { 'content-type': 'application/json', ...canned.answer.headers });
      outgoing.end(canned.answer.body ?? '');
      return;
    }
    const hold = [...holds].find((entry) => entry.matches(seen));
    if (hold) hold.waiting.push(() => relay(incoming, outgoing, upstream));
    else relay(incoming, outgoing, upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    count: (path, method = 'GET') => requests.filter((request) => request.method === method && request.path === path).length,
    hold(matches) {
      const entry = { matches, waiting: [] as (() => void)[] };
      holds.add(entry);
      return () => {
        holds.delete(entry);
        for (const release of entry.waiting.splice(0)) release();
      };
    },
    answer(matches, answer) {
      const entry = { matches, answer };
      answers.add(entry);
      return () => void answers.delete(entry);
    },
    async stop() {
      for (const entry of holds) entry.waiting.splice(0);
      holds.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function relay(incoming: IncomingMessage, outgoing: ServerResponse, upstream: URL): void {
  const headers = { ...incoming.headers, host: upstream.host };
  const request = http.request(
    { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers },
    (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
      response.on('error', () => outgoing.destroy());
    },
  );
  request.on('error', () => {
    if (!outgoing.headersSent) outgoing.writeHead(502).end();
    else outgoing.destroy();
  });
  incoming.pipe(request);
}
