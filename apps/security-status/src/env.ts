import { BaseEnv } from '@vulnscan/config';

export class SecurityStatusEnv extends BaseEnv {}
