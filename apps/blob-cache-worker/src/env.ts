import { BaseEnv } from '@vulnscan/config';

export class BlobCacheEnv extends BaseEnv {}
