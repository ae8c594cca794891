import { startTracing } from '@vulnscan/observability';

// Tracing starts before the framework loads, so HTTP and messaging are instrumented from the start.
startTracing('blob-cache-worker');

import { runService } from '@vulnscan/service-runtime';
import { BlobCacheModule } from './app.module';
import { cacheService } from './service';

void runService(cacheService, BlobCacheModule);
