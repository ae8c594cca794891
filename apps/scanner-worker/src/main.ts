import { startTracing } from '@vulnscan/observability';

// Tracing starts before the framework loads, so HTTP and messaging are instrumented from the start.
startTracing('scanner-worker');

import { runService } from '@vulnscan/service-runtime';
import { workerService } from './service';
import { WorkerModule } from './worker.module';

void runService(workerService, WorkerModule);
