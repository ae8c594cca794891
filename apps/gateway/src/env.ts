import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { BaseEnv, ToInt } from '@vulnscan/config';

export class GatewayEnv extends BaseEnv {
  /** Ensures an admin API key with this value for tenant `default` at start. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  BOOTSTRAP_API_KEY?: string;

  /** How long the API waits for the scheduler to answer a command before a 503. */
  @ToInt() @IsInt() @Min(100) @Max(60000)
  COMMAND_TIMEOUT_MS = 5000;

  /** A verified API key is trusted this long before it is looked up again (revocation delay). */
  @ToInt() @IsInt() @Min(0) @Max(3600)
  API_KEY_CACHE_SECONDS = 10;
}
