import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Socket } from 'node:net';
import { postWebhook } from './webhook-http';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
}

describe('postWebhook', () => {
  const servers: { close(): unknown }[] = [];
  const sockets: Socket[] = [];
  afterAll(() => {
    sockets.forEach((socket) => socket.destroy());
    servers.forEach((server) => server.close());
  });

  async function receiver(handler: Handler): Promise<URL> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => handler(req, res, body));
    });
    server.on('connection', (socket) => sockets.push(socket));
    servers.push(server);
    return new URL(`http://127.0.0.1:${await listen(server)}/hook`);
  }

  const post = (url: URL, timeoutMs = 2000) =>
    postWebhook({ url, headers: { 'content-type': 'application/json', 'x-test': '1' }, body: '{"hello":"world"}', timeoutMs });

  it('POSTs the body with its headers and reports a 2xx as success', async () => {
    let seen: { method?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    const url = await receiver((req, res, body) => {
      seen = { method: req.method, headers: req.headers, body };
      res.writeHead(204).end();
    });
    const result = await post(url);
    expect(result).toMatchObject({ statusCode: 204, error: null });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(seen).toMatchObject({ method: 'POST', body: '{"hello":"world"}' });
    expect(seen.headers).toMatchObject({ 'x-test': '1', 'content-type': 'application/json', 'content-length': '17' });
  });

  it('reports a non-2xx with the start of its answer, and Retry-After', async () => {
    const url = await receiver((_req, res) => res.writeHead(503, { 'retry-after': '7' }).end(`overloaded\n${'x'.repeat(5000)}`));
    const result = await post(url);
    expect(result.statusCode).toBe(503);
    expect(result.retryAfter).toBe('7');
    expect(result.error).toMatch(/^HTTP 503: overloaded x+$/);
    expect(result.error!.length).toBeLessThan(300);
  });

  it('does not follow redirects', async () => {
    const url = await receiver((_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end());
    expect(await post(url)).toMatchObject({ statusCode: 302, error: 'HTTP 302' });
  });

  it('gives up on a receiver that never answers', async () => {
    const url = await receiver(() => undefined);
    const result = await post(url, 300);
    expect(result).toMatchObject({ statusCode: null, error: 'timed out after 300 ms' });
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('stops reading an endless answer', async () => {
    const url = await receiver((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('y'.repeat(1024)), 5);
      res.on('close', () => clearInterval(timer));
    });
    expect(await post(url, 5000)).toMatchObject({ statusCode: 200, error: null });
  });

  it('survives garbage instead of HTTP and a closed connection', async () => {
    const garbage = createTcpServer((socket) => socket.end('\u0000\u0001 not http at all\r\n\r\n'));
    servers.push(garbage);
    const result = await post(new URL(`http://127.0.0.1:${await listen(garbage)}/`));
    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/HPE_|Parse Error/);

    const closer = createTcpServer((socket) => socket.destroy());
    servers.push(closer);
    expect((await post(new URL(`http://127.0.0.1:${await listen(closer)}/`))).error).toMatch(/ECONNRESET|socket hang up/);
  });

  it('reports a refused connection', async () => {
    const probe = createTcpServer();
    const port = await listen(probe);
    await new Promise((done) => probe.close(done));
    expect((await post(new URL(`http://127.0.0.1:${port}/`))).error).toMatch(/ECONNREFUSED/);
  });

  it('connects only to the addresses it is given, whatever DNS says', async () => {
    const url = await receiver((req, res) => res.writeHead(200).end(req.headers.host));
    const pinned = new URL(`http://receiver.invalid:${url.port}/hook`);
    const result = await postWebhook({
      url: pinned,
      addresses: [{ address: '127.0.0.1', family: 4 }],
      headers: {},
      body: '{}',
      timeoutMs: 2000,
    });
    expect(result).toMatchObject({ statusCode: 200, error: null });
  });
});
