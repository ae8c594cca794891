import { startTracing } from '@vulnscan/observability';

// Tracing starts before the framework loads, so HTTP and messaging are instrumented from the start.
startTracing('gateway');

import { runService } from '@vulnscan/service-runtime';
import { GatewayModule } from './gateway.module';
import { gatewayService } from './service';

void runService(gatewayService, GatewayModule);
