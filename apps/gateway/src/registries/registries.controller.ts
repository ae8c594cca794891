import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Commands, REGISTRY_HOST_PATTERN, RegistryCredentialView } from '@vulnscan/contracts';
import { RegistryCredentialReader } from '@vulnscan/registry-credentials';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { Scope } from '../entities';
import { OwnerCommands } from '../owner-commands.service';

class PutRegistryDto {
  @ApiProperty({ example: 'ghcr.io', description: 'Registry host (host or host:port) as in image references' })
  @Matches(REGISTRY_HOST_PATTERN, { message: 'registry must be a host or host:port' })
  @MaxLength(255)
  registry!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  username!: string;

  @ApiProperty({ description: 'Password or token; stored encrypted, never returned' })
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  password!: string;
}

const present = (view: RegistryCredentialView) => ({
  id: view.id,
  registry: view.registry,
  username: view.username,
  created_at: view.createdAt,
  updated_at: view.updatedAt,
});

/** A tenant's credentials per registry host; the scanner-worker stores them, encrypted. */
@ApiTags('registries')
@Controller('api/v1/registries')
export class RegistriesController {
  constructor(
    private readonly commands: OwnerCommands,
    private readonly reader: RegistryCredentialReader,
  ) {}

  @Post()
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({ summary: 'Create or replace the credentials for a registry host' })
  async put(@Body() body: PutRegistryDto, @CurrentPrincipal() principal: Principal) {
    const view = await this.commands.send(Commands.PutRegistryCredential, principal.tenantId, {
      tenantId: principal.tenantId,
      registry: body.registry,
      username: body.username,
      password: body.password,
    });
    return present(view);
  }

  @Get()
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: 'Registry credentials of this tenant (never their secrets)' })
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.reader.list(principal.tenantId)).map(present), next_cursor: null };
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({ summary: 'Delete registry credentials' })
  async delete(
    @Param('id', new ParseUUIDPipe({ version: undefined })) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.commands.send(Commands.DeleteRegistryCredential, principal.tenantId, { tenantId: principal.tenantId, id });
  }
}
