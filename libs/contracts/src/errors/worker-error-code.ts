import { ScanErrorCode } from '../scan-errors';

/**
 * Why the scanner-worker refuses a command (registry credentials, target listing). The values are
 * API error codes: never change one.
 */
export enum WorkerErrorCode {
  RegistryCredentialNotFound = 'registry_credential_not_found',
  /** No CREDENTIALS_ENCRYPTION_KEY: credentials cannot be stored. */
  CredentialsDisabled = 'credentials_disabled',
  InvalidTarget = 'invalid_target',
  /** The requester's deadline passed while listing a target. */
  Timeout = 'timeout',
}

/** The worker also answers with the scan error code of a registry failure (host policy, listing). */
export type WorkerRejectionCode = WorkerErrorCode | ScanErrorCode;
