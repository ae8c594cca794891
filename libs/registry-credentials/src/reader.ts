import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { RegistryCredentialView } from '@vulnscan/contracts';
import { RegistryCredentialEntity } from './entity';

export function presentCredential(entity: RegistryCredentialEntity): RegistryCredentialView {
  return {
    id: entity.id,
    registry: entity.registry,
    username: entity.username,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}

/** Read-only view of a tenant's registry credentials for other services: no secret column, ever. */
@Injectable()
export class RegistryCredentialReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(tenantId: string): Promise<RegistryCredentialView[]> {
    const rows = await this.dataSource
      .getRepository(RegistryCredentialEntity)
      .find({ where: { tenantId }, order: { registry: 'ASC' }, take: 1000 });
    return rows.map(presentCredential);
  }
}
