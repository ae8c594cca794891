import { migrateService } from '@vulnscan/service-runtime';
import { cacheService } from './service';

void migrateService(cacheService);
