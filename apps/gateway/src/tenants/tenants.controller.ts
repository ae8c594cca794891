import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { BOOTSTRAP_TENANT } from '@vulnscan/config';
import { Events, GatewayErrorCode } from '@vulnscan/contracts';
import { announceKeyRevocation } from '@vulnscan/gateway-data';
import { Outbox } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { Authenticated } from '../auth/auth.guard';
import { ApiKeyEntity, Scope, TenantEntity } from '../entities';
import { GatewayEnv } from '../env';
import { CreateTenantDto } from './tenants.dto';
import { apiError } from '../errors';

const presentTenant = (tenant: TenantEntity) => ({ id: tenant.id, name: tenant.name, created_at: tenant.createdAt.toISOString() });

/** Tenants are the operator's (`platform:admin`): a tenant's own `admin` never sees another. */
@ApiTags('admin')
@Controller('api/v1')
@Authenticated(Scope.PlatformAdmin)
export class TenantsController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: GatewayEnv,
    private readonly outbox: Outbox,
  ) {}

  /** A deleted id comes back as the next incarnation, once the services have stopped dropping its messages. */
  @Post('tenants')
  @ApiOperation({ summary: 'Create a tenant' })
  async createTenant(@Body() body: CreateTenantDto) {
    return this.dataSource.transaction(async (manager) => {
      const tenants = manager.getRepository(TenantEntity);
      const existing = await tenants.findOne({ where: { id: body.id }, lock: { mode: 'pessimistic_write' } });
      if (existing && !existing.deletedAt) throw apiError(GatewayErrorCode.TenantExists, `Tenant ${body.id} already exists.`);
      const wait = existing?.quietUntil ? Math.ceil((existing.quietUntil.getTime() - Date.now()) / 1000) : 0;
      if (wait > 0) {
        throw apiError(
          GatewayErrorCode.TenantRecentlyDeleted,
          `Tenant ${body.id} was deleted moments ago; its id can be used again in ${wait} s.`,
          {},
          { 'Retry-After': String(wait) },
        );
      }
      const incarnation = existing ? existing.incarnation + 1 : 1;
      const tenant = tenants.create({
        id: body.id,
        name: body.name,
        createdAt: new Date(),
        deletedAt: null,
        incarnation,
        quietUntil: null,
      });
      await tenants.save(tenant);
      return presentTenant(tenant);
    });
  }

  @Get('tenants')
  @ApiOperation({ summary: 'List tenants' })
  async listTenants() {
    const tenants = await this.dataSource.getRepository(TenantEntity).find({ where: { deletedAt: IsNull() }, order: { id: 'ASC' } });
    return { items: tenants.map(presentTenant), next_cursor: null };
  }

  /**
   * Marks the tenant deleted, revokes its keys and publishes TenantDeleted, all in one transaction:
   * every owning service then removes what the tenant owns and drops its late messages.
   */
  @Delete('tenants/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a tenant: revoke its keys, and every service removes its data (TenantDeleted)' })
  async deleteTenant(@Param('id') id: string): Promise<void> {
    if (id === BOOTSTRAP_TENANT)
      throw apiError(GatewayErrorCode.TenantProtected, `The bootstrap tenant ${BOOTSTRAP_TENANT} cannot be deleted.`);
    await this.dataSource.transaction(async (manager) => {
      const tenants = manager.getRepository(TenantEntity);
      const tenant = await tenants.findOne({ where: { id, deletedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!tenant) throw apiError(GatewayErrorCode.TenantNotFound, `Tenant ${id} not found.`);
      const deletedAt = new Date();
      const quietUntil = new Date(deletedAt.getTime() + this.env.TENANT_RECREATE_DELAY_SECONDS * 1000);
      await tenants.update({ id }, { deletedAt, quietUntil });
      await manager.getRepository(ApiKeyEntity).update({ tenantId: id, revokedAt: IsNull() }, { revokedAt: deletedAt });
      // Every replica and the blob cache forget its cached keys when this commits.
      await announceKeyRevocation(manager, { tenantId: id });
      await this.outbox.add(manager, {
        type: Events.TenantDeleted,
        tenantId: id,
        payload: {
          tenantId: id,
          incarnation: tenant.incarnation,
          deletedAt: deletedAt.toISOString(),
          quietUntil: quietUntil.toISOString(),
        },
      });
    });
  }
}
