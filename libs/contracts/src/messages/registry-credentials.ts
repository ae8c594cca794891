import { IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';

/** host or host:port, as it appears in image references. */
export const REGISTRY_HOST_PATTERN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*(?::\d{1,5})?$|^\[[0-9a-fA-F:]+\](?::\d{1,5})?$/;

/** Creates or replaces a tenant's credentials for one registry host (owned by the scanner-worker). */
export class PutRegistryCredentialCommand {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @Matches(REGISTRY_HOST_PATTERN, { message: 'registry must be a host or host:port' })
  @MaxLength(255)
  registry!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(255)
  username!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  password!: string;
}

export class DeleteRegistryCredentialCommand {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @IsUUID()
  id!: string;
}

/** What anyone but the worker ever sees of a credential: never the secret. */
export class RegistryCredentialView {
  id!: string;
  registry!: string;
  username!: string;
  createdAt!: string;
  updatedAt!: string;
}
