import { migrateService } from '@vulnscan/platform';
import { gatewayService } from './service';

void migrateService(gatewayService);
