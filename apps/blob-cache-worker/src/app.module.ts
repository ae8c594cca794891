import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { ApiKeyReader, KeyRevocations } from '@vulnscan/gateway-data';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { BlobAccess } from './blobs/blob-access';
import { BlobCache } from './blobs/blob-cache.service';
import { BlobDownloader } from './blobs/blob-downloader.service';
import { BlobEviction } from './blobs/blob-eviction.service';
import { BlobFlights } from './blobs/blob-flights.service';
import { BlobPlacement } from './blobs/blob-placement';
import { BLOB_STORE } from './blobs/blob-store';
import { FsBlobStore } from './blobs/fs-blob-store';
import { BlobDownloadedController } from './completion/blob-downloaded.controller';
import { ManifestCompletion } from './completion/manifest-completion';
import { RegistryAuth } from './distribution/registry-auth';
import { RegistryController } from './distribution/registry.controller';
import { BlobCacheEnv } from './env';
import { ManifestCache } from './manifests/manifest-cache.service';
import { ManifestStore } from './manifests/manifest-store';
import { UpstreamTable } from './upstreams/upstream-table';
import { UpstreamsController } from './upstreams/upstreams.controller';
import { Upstreams } from './upstreams/upstreams.service';
import { TenantDeletedController } from './tenants/tenant-deleted.controller';

@Module({
  controllers: [RegistryController, BlobDownloadedController, UpstreamsController, TenantDeletedController],
  providers: [
    { provide: BLOB_STORE, inject: [SERVICE_ENV], useFactory: (env: BlobCacheEnv) => new FsBlobStore(env.CACHE_STORAGE_DIR) },
    UpstreamTable,
    Upstreams,
    ApiKeyReader,
    KeyRevocations,
    RegistryAuth,
    ManifestStore,
    ManifestCache,
    BlobPlacement,
    BlobFlights,
    BlobAccess,
    BlobCache,
    BlobDownloader,
    BlobEviction,
    ManifestCompletion,
  ],
})
export class BlobCacheModule implements OnModuleInit {
  constructor(@Inject(BLOB_STORE) private readonly store: FsBlobStore) {}

  /** The storage directory must be usable before the first request or download. */
  async onModuleInit(): Promise<void> {
    await this.store.init();
  }
}
