import { migrateService } from '@vulnscan/service-runtime';
import { schedulerService } from './service';

void migrateService(schedulerService);
