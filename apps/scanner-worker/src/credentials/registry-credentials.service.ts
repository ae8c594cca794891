import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { PutRegistryCredentialCommand, RegistryCredentialView, ScanError, WorkerErrorCode } from '@vulnscan/contracts';
import { CommandRejectedError, TenantMessage, TenantTombstones } from '@vulnscan/messaging';
import { parseEncryptionKey, SecretCipher, SERVICE_ENV } from '@vulnscan/service-runtime';
import { presentCredential } from '@vulnscan/registry-credentials';
import { RegistryCredentialEntity } from '@vulnscan/worker-entities';
import { OperatorRegistries } from '../registry/operator-registries';
import { RegistryCredential, WorkerEnv } from '../env';
import { credentialContext } from './credential-context';

/** Tenants' registry credentials: stored encrypted, decrypted only to talk to that registry. */
@Injectable()
export class RegistryCredentials {
  private readonly cipher: SecretCipher | null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) env: WorkerEnv,
    private readonly operator: OperatorRegistries,
    private readonly tombstones: TenantTombstones,
  ) {
    this.cipher = env.CREDENTIALS_ENCRYPTION_KEY ? new SecretCipher(parseEncryptionKey(env.CREDENTIALS_ENCRYPTION_KEY)) : null;
  }

  /** `message` is the command's envelope: one sent to a tenant deleted meanwhile stores nothing (its secret would outlive it). */
  async put(command: PutRegistryCredentialCommand, message: TenantMessage): Promise<RegistryCredentialView> {
    const cipher = this.requireCipher();
    const registry = command.registry.toLowerCase();
    try {
      await this.operator.policyFor(command.tenantId).check(registry);
    } catch (error) {
      if (error instanceof ScanError) throw new CommandRejectedError(error.code, `registry: ${error.message}`);
      throw error;
    }
    const now = new Date();
    const [row] = await this.dataSource.transaction(async (manager) => {
      await this.tombstones.refuseForDeletedIncarnation(manager, message);
      return (await manager.query(
        `INSERT INTO worker.registry_credentials (id, tenant_id, registry, username, secret, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (tenant_id, registry) DO UPDATE
         SET username = EXCLUDED.username, secret = EXCLUDED.secret, updated_at = EXCLUDED.updated_at
       RETURNING id, registry, username, created_at, updated_at`,
        [
          uuidv7(),
          command.tenantId,
          registry,
          command.username,
          cipher.encrypt(command.password, credentialContext(command.tenantId, registry)),
          now,
        ],
      )) as { id: string; registry: string; username: string; created_at: Date; updated_at: Date }[];
    });
    return presentCredential(
      Object.assign(new RegistryCredentialEntity(), {
        id: row.id,
        registry: row.registry,
        username: row.username,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }),
    );
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const result = await this.dataSource.getRepository(RegistryCredentialEntity).delete({ tenantId, id });
    if (!result.affected) throw new CommandRejectedError(WorkerErrorCode.RegistryCredentialNotFound, `registry credential ${id} not found`);
  }

  /** The tenant's own credentials for a host, else the operator's from REGISTRY_CREDENTIALS when they serve this tenant. */
  async lookup(tenantId: string, registry: string): Promise<Pick<RegistryCredential, 'username' | 'password'> | undefined> {
    const row = await this.dataSource
      .getRepository(RegistryCredentialEntity)
      .createQueryBuilder('c')
      .addSelect('c.secret')
      .where('c.tenant_id = :tenantId AND c.registry = :registry', { tenantId, registry: registry.toLowerCase() })
      .getOne();
    if (row && this.cipher) {
      return { username: row.username, password: this.cipher.decrypt(row.secret, credentialContext(tenantId, row.registry)) };
    }
    return this.operator.credentialFor(tenantId, registry);
  }

  private requireCipher(): SecretCipher {
    if (!this.cipher) {
      throw new CommandRejectedError(
        WorkerErrorCode.CredentialsDisabled,
        'Registry credentials cannot be stored: the scanner-worker has no CREDENTIALS_ENCRYPTION_KEY.',
      );
    }
    return this.cipher;
  }
}
