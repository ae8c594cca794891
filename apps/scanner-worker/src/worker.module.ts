import { Module } from '@nestjs/common';
import { ScanReader } from '@vulnscan/scan-data';
import { ImageFetcher } from './jobs/image-fetcher.service';
import { ScanJobController } from './jobs/scan-job.controller';

@Module({
  controllers: [ScanJobController],
  providers: [ImageFetcher, ScanReader],
})
export class WorkerModule {}
