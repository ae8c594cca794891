import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { Commands, IsUpstreamUrl, REGISTRY_HOST_PATTERN, UPSTREAM_URL_MAX_LENGTH, UpstreamView } from '@vulnscan/contracts';
import { UpstreamReader } from '@vulnscan/cache-data';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { Scope } from '../entities';
import { OwnerCommands } from '../owner-commands.service';

const withCredentials = (body: PutUpstreamDto) => body.username !== undefined || body.password !== undefined;

class PutUpstreamDto {
  @ApiProperty({ example: 'ghcr.io', description: 'Registry host (host or host:port) as image references and `?ns=` name it' })
  @Matches(REGISTRY_HOST_PATTERN, { message: 'registry must be a host or host:port' })
  @MaxLength(255)
  registry!: string;

  @ApiProperty({
    example: 'https://ghcr.io',
    maxLength: UPSTREAM_URL_MAX_LENGTH,
    description: 'http(s) registry root, no path or credentials; its host must pass the outbound policy',
  })
  @IsUpstreamUrl()
  url!: string;

  @ApiPropertyOptional({ description: 'With password: the cache pulls with these credentials' })
  @ValidateIf(withCredentials)
  @IsString({ message: 'username must be given with password' })
  @MinLength(1)
  @MaxLength(255)
  username?: string;

  @ApiPropertyOptional({ description: 'Password or token; stored encrypted, never returned' })
  @ValidateIf(withCredentials)
  @IsString({ message: 'password must be given with username' })
  @MinLength(1)
  @MaxLength(8192)
  password?: string;
}

const present = (view: UpstreamView) => ({
  id: view.id,
  registry: view.registry,
  url: view.url,
  source: view.source,
  read_only: view.source === 'config',
  username: view.username,
  has_credentials: view.hasCredentials,
  created_at: view.createdAt,
  updated_at: view.updatedAt,
});

/**
 * The blob cache's upstreams as a tenant sees them: its own (created, replaced and deleted through
 * commands to the blob-cache-worker, which owns them and seals their passwords) and the
 * configured ones, read-only. Writes take scans:write, like registry credentials and webhooks.
 */
@ApiTags('upstreams')
@Controller('api/v1/upstreams')
export class UpstreamsController {
  constructor(
    private readonly commands: OwnerCommands,
    private readonly reader: UpstreamReader,
  ) {}

  @Post()
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({
    summary: "Create or replace this tenant's cache upstream for a registry host (pulls with ?ns=<registry> and one of its API keys)",
  })
  @ApiCreatedResponse({ description: 'The upstream (never its password)' })
  @ApiConflictResponse({ description: 'The registry is a configured upstream of the cache' })
  async put(@Body() body: PutUpstreamDto, @CurrentPrincipal() principal: Principal) {
    const view = await this.commands.send(Commands.PutUpstream, principal.tenantId, {
      tenantId: principal.tenantId,
      registry: body.registry,
      url: body.url,
      ...(body.username !== undefined && body.password !== undefined ? { username: body.username, password: body.password } : {}),
    });
    return present(view);
  }

  @Get()
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: "The configured upstreams (source config, read-only) and this tenant's own (never their passwords)" })
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.reader.list(principal.tenantId)).map(present), next_cursor: null };
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({ summary: "Delete one of this tenant's upstreams; pulls through it answer 404 NAME_UNKNOWN from then on" })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such upstream of this tenant (configured ones cannot be deleted)' })
  async delete(
    @Param('id', new ParseUUIDPipe({ version: undefined })) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.commands.send(Commands.DeleteUpstream, principal.tenantId, { tenantId: principal.tenantId, id });
  }
}
