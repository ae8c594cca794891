import { createHash, createHmac, randomBytes } from 'node:crypto';
// node-postgres' client side of the SCRAM exchange: an implementation independent of ours
import { continueSession, finalizeSession, startSession } from 'pg/lib/crypto/sasl';
import { scramSha256Verifier } from './scram-verifier';

/** Plays the server's part of one SCRAM-SHA-256 login against a stored verifier; true when the client proved the password. */
async function serverAccepts(verifier: string, password: string): Promise<boolean> {
  const [, iterations, salt, storedKey, serverKey] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier)!;
  const session = startSession(['SCRAM-SHA-256']);
  const nonce = `${session.clientNonce}${randomBytes(18).toString('base64')}`;
  const serverFirst = `r=${nonce},s=${salt},i=${iterations}`;
  await continueSession(session, password, serverFirst);
  const clientFinal: string = session.response;
  const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(',p='));
  const proof = Buffer.from(clientFinal.slice(clientFinal.lastIndexOf(',p=') + 3), 'base64');
  const authMessage = `n=*,r=${session.clientNonce},${serverFirst},${withoutProof}`;
  const signature = createHmac('sha256', Buffer.from(storedKey, 'base64')).update(authMessage).digest();
  const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]));
  if (!createHash('sha256').update(clientKey).digest().equals(Buffer.from(storedKey, 'base64'))) return false;
  const serverSignature = createHmac('sha256', Buffer.from(serverKey, 'base64')).update(authMessage).digest('base64');
  finalizeSession(session, `v=${serverSignature}`); // throws unless the server's half of the verifier matches too
  return true;
}

describe('scramSha256Verifier', () => {
  it('stores what lets the right password, and only it, log in', async () => {
    const verifier = scramSha256Verifier('correct horse battery staple')!;
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(await serverAccepts(verifier, 'correct horse battery staple')).toBe(true);
    expect(await serverAccepts(verifier, 'correct horse battery stapler')).toBe(false);
  });

  it('salts every verifier anew', () => {
    expect(scramSha256Verifier('same')).not.toBe(scramSha256Verifier('same'));
  });

  it('leaves passwords SASLprep would rewrite to the server', () => {
    expect(scramSha256Verifier('pässwort')).toBeUndefined();
    expect(scramSha256Verifier('tab\there')).toBeUndefined();
  });
});
