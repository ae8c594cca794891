import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Scope } from '../entities';

export class CreateTenantDto {
  @ApiProperty({ example: 'team-payments', description: 'Lowercase slug, the tenant id' })
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'id must be a lowercase slug (letters, digits, dashes)' })
  id!: string;

  @ApiProperty({ example: 'Payments team' })
  @IsString()
  @MaxLength(200)
  name!: string;
}

export class CreateApiKeyDto {
  @ApiPropertyOptional({ example: 'team-payments', description: "The key's tenant: the caller's own unless an operator names another" })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  tenant_id?: string;

  @ApiProperty({ example: 'ci-pipeline' })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: Scope, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(Object.values(Scope), { each: true })
  scopes!: Scope[];
}

export class ListApiKeysQuery {
  @ApiPropertyOptional({ description: "Operators only: one tenant's keys (all tenants' without it)" })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  tenant_id?: string;
}
