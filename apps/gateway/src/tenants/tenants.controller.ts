import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { BOOTSTRAP_TENANT } from '@vulnscan/config';
import { GatewayErrorCode } from '@vulnscan/contracts';
import { Authenticated } from '../auth/auth.guard';
import { ApiKeyEntity, Scope, TenantEntity } from '../entities';
import { CreateTenantDto } from './tenants.dto';
import { apiError } from '../errors';

const presentTenant = (tenant: TenantEntity) => ({ id: tenant.id, name: tenant.name, created_at: tenant.createdAt.toISOString() });

/** Tenants are the operator's (`platform:admin`): a tenant's own `admin` never sees another. */
@ApiTags('admin')
@Controller('api/v1')
@Authenticated(Scope.PlatformAdmin)
export class TenantsController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Post('tenants')
  @ApiOperation({ summary: 'Create a tenant' })
  async createTenant(@Body() body: CreateTenantDto) {
    const tenants = this.dataSource.getRepository(TenantEntity);
    const existing = await tenants.findOneBy({ id: body.id });
    if (existing && !existing.deletedAt) throw apiError(GatewayErrorCode.TenantExists, `Tenant ${body.id} already exists.`);
    const tenant = tenants.create({ id: body.id, name: body.name, createdAt: new Date(), deletedAt: null });
    await tenants.save(tenant);
    return presentTenant(tenant);
  }

  @Get('tenants')
  @ApiOperation({ summary: 'List tenants' })
  async listTenants() {
    const tenants = await this.dataSource.getRepository(TenantEntity).find({ where: { deletedAt: IsNull() }, order: { id: 'ASC' } });
    return { items: tenants.map(presentTenant), next_cursor: null };
  }

  @Delete('tenants/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a tenant and revoke its keys' })
  async deleteTenant(@Param('id') id: string): Promise<void> {
    if (id === BOOTSTRAP_TENANT)
      throw apiError(GatewayErrorCode.TenantProtected, `The bootstrap tenant ${BOOTSTRAP_TENANT} cannot be deleted.`);
    await this.dataSource.transaction(async (manager) => {
      const result = await manager.getRepository(TenantEntity).update({ id, deletedAt: IsNull() }, { deletedAt: new Date() });
      if (!result.affected) throw apiError(GatewayErrorCode.TenantNotFound, `Tenant ${id} not found.`);
      await manager.getRepository(ApiKeyEntity).update({ tenantId: id, revokedAt: IsNull() }, { revokedAt: new Date() });
    });
  }
}
