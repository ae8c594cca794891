import { startTracing } from '@vulnscan/observability';

// Tracing starts before the framework loads, so HTTP and messaging are instrumented from the start.
startTracing('security-status');

import { runService } from '@vulnscan/service-runtime';
import { SecurityStatusModule } from './app.module';
import { statusService } from './service';

void runService(statusService, SecurityStatusModule);
