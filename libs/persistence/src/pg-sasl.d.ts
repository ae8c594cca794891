/** node-postgres' SCRAM client (untyped upstream), used by scram-verifier.spec.ts to check our verifiers. */
declare module 'pg/lib/crypto/sasl' {
  interface ScramSession {
    clientNonce: string;
    response: string;
  }
  export function startSession(mechanisms: string[]): ScramSession;
  export function continueSession(session: ScramSession, password: string, serverData: string): Promise<void>;
  export function finalizeSession(session: ScramSession, serverData: string): void;
}
