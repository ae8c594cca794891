import { IsInt, IsISO8601, IsString, Matches, MaxLength, Min } from 'class-validator';

/**
 * The operator deleted a tenant (the gateway, in the transaction that marked it deleted and revoked
 * its keys). Every owning service removes what the tenant owns and records a tombstone: until
 * `quietUntil` it drops every message of the tenant, so nothing published before or because of the
 * deletion brings its data back. The gateway refuses to create the id again before `quietUntil`,
 * so every message of a later incarnation occurs after it.
 */
export class TenantDeletedPayload {
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z0-9][a-z0-9-]*$/)
  tenantId!: string;

  /** Which life of the id ended: 1 for the first tenant of that id, one more for each re-creation. */
  @IsInt()
  @Min(1)
  incarnation!: number;

  @IsISO8601()
  deletedAt!: string;

  /** Messages of the tenant that occurred before this are of the deleted incarnation. */
  @IsISO8601()
  quietUntil!: string;
}
