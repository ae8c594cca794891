import { migrateService } from '@vulnscan/service-runtime';
import { workerService } from './service';

void migrateService(workerService);
