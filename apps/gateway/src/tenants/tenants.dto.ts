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
  @ApiProperty({ example: 'default' })
  @IsString()
  @MaxLength(63)
  tenant_id!: string;

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
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(63)
  tenant_id?: string;
}
