import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../processes';
import type { TestUser, TokenServerTrust } from './start-registry';

export interface TokenServerOptions {
  readonly users: readonly TestUser[];
  readonly service?: string;
  readonly issuer?: string;
}

export interface TokenServer extends TokenServerTrust {
  /** Token requests answered so far (granted or not), so tests can prove the challenge flow ran. */
  readonly tokenRequests: number;
  stop(): Promise<void>;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

const GRANTABLE = new Set(['pull', 'push']);
const TOKEN_SECONDS = 300;

/**
 * A minimal implementation of distribution's token authentication: basic credentials in, an RS256
 * JWT out, signed by a self-signed certificate that the registry trusts as its rootcertbundle.
 */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const service = options.service ?? 'vulnscan-test-registry';
  const issuer = options.issuer ?? 'vulnscan-test-token-issuer';
  const dir = await mkdtemp(path.join(tmpdir(), 'vulnscan-token-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2'],
    ...['-subj', `/CN=${issuer}`, '-keyout', keyPath, '-out', certPath],
  ]);
  const privateKey = createPrivateKey(await readFile(keyPath));
  const certificate = (await readFile(certPath, 'utf8')).replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');

  let tokenRequests = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    if (req.method !== 'GET' || url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    tokenRequests++;
    const user = authenticate(req.headers.authorization, options.users);
    if (user === null) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }));
      return;
    }
    // Anonymous callers get a valid token that grants nothing, as Docker Hub does for private repositories.
    const access = user ? url.searchParams.getAll('scope').flatMap(grant) : [];
    const now = Math.floor(Date.now() / 1000);
    // aud is a string: distribution 2.8 does not accept the list form.
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + TOKEN_SECONDS,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const token = signJwt({ typ: 'JWT', alg: 'RS256', x5c: [certificate] }, claims, privateKey);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: TOKEN_SECONDS, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  let stopped = false;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    get tokenRequests() {
      return tokenRequests;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The user name, undefined for an anonymous request, null for wrong credentials. */
function authenticate(header: string | undefined, users: readonly TestUser[]): string | undefined | null {
  if (!header) return undefined;
  const [scheme, encoded] = header.split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !encoded) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return users.some((u) => u.username === username && u.password === password) ? username : null;
}

/** `repository:library/alpine:pull,push` → the requested actions we grant; names may contain ":" (ports). */
function grant(scope: string): Access[] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return [];
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((a) => GRANTABLE.has(a));
  return actions.length ? [{ type: scope.slice(0, first), name: scope.slice(first + 1, last), actions }] : [];
}

function signJwt(header: object, claims: object, key: ReturnType<typeof createPrivateKey>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`;
}
