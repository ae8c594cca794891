import { migrateService } from '@vulnscan/service-runtime';
import { gatewayService } from './service';

void migrateService(gatewayService);
