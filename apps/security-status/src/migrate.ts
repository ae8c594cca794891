import { migrateService } from '@vulnscan/service-runtime';
import { statusService } from './service';

void migrateService(statusService);
