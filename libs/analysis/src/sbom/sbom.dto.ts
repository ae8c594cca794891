// class-transformer's @Type reads design-time metadata, which needs the Reflect polyfill loaded.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { Equals, IsArray, IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, Min, ValidateNested } from 'class-validator';
import type { OsFamily, OsInfo, Package, PackageType, SourcePackage } from '../model';
import {
  SBOM_SCHEMA_VERSION,
  type Sbom,
  type SbomAnalyzer,
  type SbomImage,
  type SbomLayer,
  type SbomPackage,
  type SbomPlatform,
} from './sbom.model';

/*
 * The shape a stored SBOM must have to be read back. Each class implements its model type, so the
 * compiler flags a required field added to the model but not here, or a type that drifted.
 */

// Records keyed by the unions, so the compiler rejects a member missing here or one too many.
const PACKAGE_TYPES = Object.keys({
  deb: true,
  apk: true,
  rpm: true,
  npm: true,
  pypi: true,
  golang: true,
  maven: true,
} satisfies Record<PackageType, true>);
const OS_FAMILIES = Object.keys({
  debian: true,
  ubuntu: true,
  alpine: true,
  redhat: true,
  unknown: true,
} satisfies Record<OsFamily, true>);

/** OCI digest grammar: `algorithm:encoded`. */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

class PlatformDto implements SbomPlatform {
  @IsString() @IsNotEmpty() os!: string;
  @IsString() @IsNotEmpty() architecture!: string;
  @IsOptional() @IsString() variant?: string;
}

class LayerDto implements SbomLayer {
  @Matches(DIGEST) digest!: string;
  @IsInt() @Min(0) size!: number;
  @IsString() mediaType!: string;
}

class ImageDto implements SbomImage {
  @IsString() @IsNotEmpty() reference!: string;
  @Matches(DIGEST) manifestDigest!: string;
  @IsString() mediaType!: string;
  @ValidateNested() @Type(() => PlatformDto) platform!: PlatformDto;
  @IsArray() @ValidateNested({ each: true }) @Type(() => LayerDto) layers!: LayerDto[];
}

class OsInfoDto implements OsInfo {
  @IsString() @IsNotEmpty() id!: string;
  @IsIn(OS_FAMILIES) family!: OsFamily;
  @IsOptional() @IsString() version?: string;
  @IsOptional() @IsString() codename?: string;
  @IsOptional() @IsString() prettyName?: string;
  @IsString() path!: string;
}

class SourceDto implements SourcePackage {
  @IsString() @IsNotEmpty() name!: string;
  @IsString() version!: string;
}

class RpmDto implements NonNullable<Package['rpm']> {
  @IsOptional() @IsInt() @Min(0) epoch?: number;
  @IsString() version!: string;
  @IsString() release!: string;
  @IsOptional() @IsString() sourceRpm?: string;
}

class PackageDto implements SbomPackage {
  @IsIn(PACKAGE_TYPES) type!: PackageType;
  @IsOptional() @IsString() namespace?: string;
  @IsString() @IsNotEmpty() name!: string;
  @IsString() version!: string;
  @IsOptional() @IsString() arch?: string;
  @IsOptional() @ValidateNested() @Type(() => RpmDto) rpm?: RpmDto;
  @IsOptional() @ValidateNested() @Type(() => SourceDto) source?: SourceDto;
  @IsOptional() @IsArray() @IsString({ each: true }) licenses?: string[];
  @IsString() path!: string;
  @IsOptional() @Matches(DIGEST) layerDigest?: string;
  @IsString() @IsNotEmpty() purl!: string;
  @IsString() @IsNotEmpty() id!: string;
}

class AnalyzerDto implements SbomAnalyzer {
  @IsString() @IsNotEmpty() name!: string;
  @IsString() @IsNotEmpty() version!: string;
}

export class SbomDto implements Sbom {
  @Equals(SBOM_SCHEMA_VERSION) schemaVersion!: typeof SBOM_SCHEMA_VERSION;
  @ValidateNested() @Type(() => ImageDto) image!: ImageDto;
  @IsOptional() @ValidateNested() @Type(() => OsInfoDto) os?: OsInfoDto;
  @IsArray() @ValidateNested({ each: true }) @Type(() => PackageDto) packages!: PackageDto[];
  @ValidateNested() @Type(() => AnalyzerDto) analyzer!: AnalyzerDto;
  @IsISO8601({ strict: true }) createdAt!: string;
  @IsArray() @IsString({ each: true }) warnings!: string[];
}
