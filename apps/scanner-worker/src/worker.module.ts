import { Module } from '@nestjs/common';
import { ScanReader } from '@vulnscan/scan-data';
import { RegistryCredentialsController } from './credentials/registry-credentials.controller';
import { RegistryCredentials } from './credentials/registry-credentials.service';
import { OperatorRegistries } from './registry/operator-registries';
import { ImageScanner } from './jobs/image-scanner.service';
import { SbomStore } from './jobs/sbom-store.service';
import { ScanJobController } from './jobs/scan-job.controller';
import { ReportBuilder } from './reports/report-builder.service';
import { FeedSyncController } from './vulndb/feed-sync.controller';
import { FeedSync } from './vulndb/feed-sync.service';
import { TargetImagesController } from './listing/target-images.controller';
import { TargetImages } from './listing/target-images.service';
import { TenantRegistryClients } from './registry/tenant-registry-clients';
import { ScansPurgedController } from './retention/scans-purged.controller';
import { TenantDeletedController } from './tenants/tenant-deleted.controller';

@Module({
  controllers: [
    ScanJobController,
    RegistryCredentialsController,
    FeedSyncController,
    ScansPurgedController,
    TargetImagesController,
    TenantDeletedController,
  ],
  providers: [
    ImageScanner,
    RegistryCredentials,
    SbomStore,
    ScanReader,
    FeedSync,
    ReportBuilder,
    TargetImages,
    TenantRegistryClients,
    OperatorRegistries,
  ],
})
export class WorkerModule {}
