import { Module } from '@nestjs/common';
import { ScanReader } from '@vulnscan/scan-data';
import { RegistryCredentialsController } from './credentials/registry-credentials.controller';
import { RegistryCredentials } from './credentials/registry-credentials.service';
import { ImageFetcher } from './jobs/image-fetcher.service';
import { SbomStore } from './jobs/sbom-store.service';
import { ScanJobController } from './jobs/scan-job.controller';

@Module({
  controllers: [ScanJobController, RegistryCredentialsController],
  providers: [ImageFetcher, RegistryCredentials, SbomStore, ScanReader],
})
export class WorkerModule {}
