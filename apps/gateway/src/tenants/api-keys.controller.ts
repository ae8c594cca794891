import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { BOOTSTRAP_TENANT } from '@vulnscan/config';
import { GatewayErrorCode } from '@vulnscan/contracts';
import { ApiKeys, Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { isOperator } from '../auth/scope-check';
import { ApiKeyEntity, Scope, TenantEntity } from '../entities';
import { apiError } from '../errors';
import { CreateApiKeyDto, ListApiKeysQuery } from './tenants.dto';

const presentKey = (key: ApiKeyEntity) => ({
  id: key.id,
  tenant_id: key.tenantId,
  name: key.name,
  prefix: key.keyPrefix,
  scopes: key.scopes,
  created_at: key.createdAt.toISOString(),
});

/**
 * API keys: a tenant's `admin` manages its own tenant's keys; the operator (`platform:admin`)
 * any tenant's. Another tenant's keys, and whether that tenant exists, are invisible to a tenant
 * admin.
 */
@ApiTags('admin')
@Controller('api/v1/api-keys')
@Authenticated(Scope.Admin)
export class ApiKeysController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: ApiKeys,
  ) {}

  @Post()
  @ApiOperation({ summary: "Create an API key (the caller's tenant unless an operator names another); its secret is in this answer only" })
  async create(@Body() body: CreateApiKeyDto, @CurrentPrincipal() principal: Principal) {
    const tenantId = this.tenantOf(principal, body.tenant_id);
    const scopes = [...new Set(body.scopes)];
    if (scopes.includes(Scope.PlatformAdmin)) {
      if (!isOperator(principal.scopes))
        throw apiError(GatewayErrorCode.Forbidden, 'scopes: only an operator key (platform:admin) can grant platform:admin.');
      if (tenantId !== BOOTSTRAP_TENANT)
        throw apiError(GatewayErrorCode.InvalidRequest, `scopes: platform:admin is granted only to keys of tenant ${BOOTSTRAP_TENANT}.`, {
          fields: ['scopes'],
        });
    }
    const tenant = await this.dataSource.getRepository(TenantEntity).findOneBy({ id: tenantId, deletedAt: IsNull() });
    if (!tenant)
      throw apiError(GatewayErrorCode.TenantNotFound, `tenant_id: tenant ${tenantId} does not exist.`, { fields: ['tenant_id'] });
    const { key, secret } = await this.keys.create(tenant.id, body.name, scopes);
    return { ...presentKey(key), key: secret };
  }

  @Get()
  @ApiOperation({
    summary: "List API keys (never their secrets): the caller's tenant's, or for an operator every tenant's or `tenant_id`'s",
  })
  async list(@Query() query: ListApiKeysQuery, @CurrentPrincipal() principal: Principal) {
    const tenantId = isOperator(principal.scopes) ? query.tenant_id : this.tenantOf(principal, query.tenant_id);
    return { items: (await this.keys.list(tenantId)).map(presentKey), next_cursor: null };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key' })
  async revoke(
    @Param('id', new ParseUUIDPipe({ version: undefined })) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const tenantId = isOperator(principal.scopes) ? undefined : principal.tenantId;
    if (!(await this.keys.revoke(id, tenantId))) throw apiError(GatewayErrorCode.ApiKeyNotFound, `API key ${id} not found.`);
  }

  /**
   * The tenant a request acts on: the caller's own; only an operator may name another. Any other
   * id is refused alike, existing or not, so a tenant admin learns nothing of other tenants.
   */
  private tenantOf(principal: Principal, named: string | undefined): string {
    const tenantId = named ?? principal.tenantId;
    if (tenantId !== principal.tenantId && !isOperator(principal.scopes))
      throw apiError(GatewayErrorCode.Forbidden, "tenant_id: a tenant admin manages its own tenant's keys only.");
    return tenantId;
  }
}
