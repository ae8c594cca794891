import { migrateService } from '@vulnscan/platform';
import { workerService } from './service';

void migrateService(workerService);
