import { migrateService } from '@vulnscan/platform';
import { statusService } from './service';

void migrateService(statusService);
