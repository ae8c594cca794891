import { Type } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { DIGEST_PATTERN } from './common';

export class ManifestCachedPayload {
  @IsString()
  @MaxLength(255)
  upstream!: string;

  @IsString()
  @MaxLength(512)
  repository!: string;

  @Matches(DIGEST_PATTERN)
  digest!: string;

  @IsString()
  @MaxLength(255)
  mediaType!: string;
}

export class BlobDownloadedPayload {
  @Matches(DIGEST_PATTERN)
  digest!: string;

  @IsInt()
  @Min(0)
  size!: number;
}

export class ManifestCompletePayload {
  @IsString()
  @MaxLength(255)
  upstream!: string;

  @IsString()
  @MaxLength(512)
  repository!: string;

  @Matches(DIGEST_PATTERN)
  digest!: string;
}

export class PackageKeyDto {
  @IsString()
  @MaxLength(100)
  ecosystem!: string;

  @IsString()
  @MaxLength(512)
  name!: string;
}

export class VulnDbUpdatedPayload {
  @IsString()
  @MaxLength(100)
  version!: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PackageKeyDto)
  affected!: PackageKeyDto[];
}

export class FeedSyncRequestedPayload {
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  feeds?: string[];
}

export class ReplayDeadLetterCommand {
  @IsUUID()
  deadLetterId!: string;
}
