import { migrateService } from '@vulnscan/platform';
import { cacheService } from './service';

void migrateService(cacheService);
