import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { RegistryCredentialView } from '@vulnscan/contracts';

/** A `worker.registry_credentials` row without its secret. */
export interface RegistryCredentialRow {
  id: string;
  registry: string;
  username: string;
  createdAt: Date;
  updatedAt: Date;
}

export function presentCredential(entity: RegistryCredentialRow): RegistryCredentialView {
  return {
    id: entity.id,
    registry: entity.registry,
    username: entity.username,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}

/** Read-only view of a tenant's registry credentials for other services, in plain SQL: no secret column, ever. */
@Injectable()
export class RegistryCredentialReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(tenantId: string): Promise<RegistryCredentialView[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, registry, username, created_at AS "createdAt", updated_at AS "updatedAt"
       FROM worker.registry_credentials WHERE tenant_id = $1 ORDER BY registry ASC LIMIT 1000`,
      [tenantId],
    )) as RegistryCredentialRow[];
    return rows.map(presentCredential);
  }
}
