import { ScanErrorCode } from '../scan-errors';
import { CacheErrorCode } from './cache-error-code';
import { GatewayErrorCode } from './gateway-error-code';
import { MessagingErrorCode } from './messaging-error-code';
import { SchedulerErrorCode } from './scheduler-error-code';
import { StatusErrorCode } from './status-error-code';
import { WorkerErrorCode } from './worker-error-code';

export * from './cache-error-code';
export * from './gateway-error-code';
export * from './messaging-error-code';
export * from './scheduler-error-code';
export * from './status-error-code';
export * from './worker-error-code';

/** Every error code a command may be rejected with, whichever service owns it. */
export type CommandErrorCode = SchedulerErrorCode | WorkerErrorCode | CacheErrorCode | StatusErrorCode | MessagingErrorCode | ScanErrorCode;

/** Every error code the API may answer with (as a string: several enums share a value such as `not_found`). */
export type ApiErrorCode = `${CommandErrorCode | GatewayErrorCode}`;

/** Each error-code enum, for whoever must cover them all (the gateway's status table and its spec). */
export const ERROR_CODE_ENUMS = {
  SchedulerErrorCode,
  WorkerErrorCode,
  CacheErrorCode,
  StatusErrorCode,
  MessagingErrorCode,
  ScanErrorCode,
  GatewayErrorCode,
} as const;
