import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { GatewayErrorCode } from '@vulnscan/contracts';
import { ApiKeys } from '../auth/api-keys.service';
import { Authenticated } from '../auth/auth.guard';
import { ApiKeyEntity, Scope, TenantEntity } from '../entities';
import { CreateApiKeyDto, CreateTenantDto, ListApiKeysQuery } from './tenants.dto';
import { apiError } from '../errors';

const presentTenant = (tenant: TenantEntity) => ({ id: tenant.id, name: tenant.name, created_at: tenant.createdAt.toISOString() });

const presentKey = (key: ApiKeyEntity) => ({
  id: key.id,
  tenant_id: key.tenantId,
  name: key.name,
  prefix: key.keyPrefix,
  scopes: key.scopes,
  created_at: key.createdAt.toISOString(),
});

@ApiTags('admin')
@Controller('api/v1')
@Authenticated(Scope.Admin)
export class TenantsController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: ApiKeys,
  ) {}

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
    if (id === 'default') throw apiError(GatewayErrorCode.TenantProtected, 'The default tenant cannot be deleted.');
    await this.dataSource.transaction(async (manager) => {
      const result = await manager.getRepository(TenantEntity).update({ id, deletedAt: IsNull() }, { deletedAt: new Date() });
      if (!result.affected) throw apiError(GatewayErrorCode.TenantNotFound, `Tenant ${id} not found.`);
      await manager.getRepository(ApiKeyEntity).update({ tenantId: id, revokedAt: IsNull() }, { revokedAt: new Date() });
    });
  }

  @Post('api-keys')
  @ApiOperation({ summary: 'Create an API key; its secret is in this answer only' })
  async createKey(@Body() body: CreateApiKeyDto) {
    const tenant = await this.dataSource.getRepository(TenantEntity).findOneBy({ id: body.tenant_id, deletedAt: IsNull() });
    if (!tenant)
      throw apiError(GatewayErrorCode.TenantNotFound, `tenant_id: tenant ${body.tenant_id} does not exist.`, { fields: ['tenant_id'] });
    const { key, secret } = await this.keys.create(tenant.id, body.name, [...new Set(body.scopes)]);
    return { ...presentKey(key), key: secret };
  }

  @Get('api-keys')
  @ApiOperation({ summary: 'List API keys (never their secrets)' })
  async listKeys(@Query() query: ListApiKeysQuery) {
    return { items: (await this.keys.list(query.tenant_id)).map(presentKey), next_cursor: null };
  }

  @Delete('api-keys/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key' })
  async revokeKey(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string): Promise<void> {
    if (!(await this.keys.revoke(id))) throw apiError(GatewayErrorCode.ApiKeyNotFound, `API key ${id} not found.`);
  }
}
