import { startTracing } from '@vulnscan/observability';

// Tracing starts before the framework loads, so HTTP and messaging are instrumented from the start.
startTracing('scan-scheduler');

import { runService } from '@vulnscan/service-runtime';
import { SchedulerModule } from './scheduler.module';
import { schedulerService } from './service';

void runService(schedulerService, SchedulerModule);
