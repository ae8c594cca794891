import { migrateService } from '@vulnscan/platform';
import { schedulerService } from './service';

void migrateService(schedulerService);
