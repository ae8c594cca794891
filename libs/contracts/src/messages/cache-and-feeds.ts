import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsImageDigest } from './image-digest';

/**
 * The blob cache stored a manifest it had not held before for this repository. `upstream` is the
 * upstream's registry host as image references name it (`docker.io`, `127.0.0.1:5555`), so
 * `<upstream>/<repository>@<digest>` is the image; its owner is the envelope's tenant.
 */
export class ManifestCachedPayload {
  @IsString()
  @MaxLength(255)
  upstream!: string;

  @IsString()
  @MaxLength(512)
  repository!: string;

  @IsImageDigest()
  digest!: string;

  @IsString()
  @MaxLength(255)
  mediaType!: string;

  /** The config's media type, for image manifests: tells a container image from other artifacts. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  configMediaType?: string;

  /**
   * Every blob was already in storage when the manifest arrived: a ManifestComplete for it was
   * published in the same transaction, so no scan bound to fail needs requesting.
   */
  @IsOptional()
  @IsBoolean()
  complete?: boolean;
}

export class BlobDownloadedPayload {
  @IsImageDigest()
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

  @IsImageDigest()
  digest!: string;

  /**
   * When the cache placed the manifest's last blob (ISO 8601; absent from older caches). A scan
   * that failed for missing layers after this moment failed only because this event was still on
   * its way: security-status asks for that scan again.
   */
  @IsOptional()
  @IsISO8601()
  completedAt?: string;
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
