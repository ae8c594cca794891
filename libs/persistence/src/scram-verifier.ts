import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** Postgres' own default (scram_iterations); the cost a login pays, and a guesser per try. */
const ITERATIONS = 4096;

/** SASLprep (RFC 4013) leaves printable ASCII as it is, so the verifier below is exact for it. */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * The SCRAM-SHA-256 verifier Postgres stores for `password` (RFC 5802 / RFC 7677), in the form
 * `ALTER ROLE … PASSWORD` accepts as already hashed, so the password itself never reaches the
 * server, its statement log or pg_stat_activity. Undefined for passwords SASLprep would rewrite:
 * the caller sends those as they are and the server hashes them with its own SASLprep.
 */
export function scramSha256Verifier(password: string, salt = randomBytes(16)): string | undefined {
  if (!PRINTABLE_ASCII.test(password)) return undefined;
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
