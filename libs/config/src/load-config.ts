import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { SECRET_PROPERTIES } from './secret';

/** Thrown at start-up when the environment is wrong; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => {
    const constraints = Object.values(error.constraints ?? {});
    const value =
      error.value === undefined
        ? 'it is not set'
        : SECRET_PROPERTIES.has(error.property)
          ? 'value withheld'
          : `got ${JSON.stringify(error.value)}`;
    return constraints.map((text) => `${error.property}: ${text} (${value})`);
  });
}

/**
 * Reads an env class from `process.env` (or the given record): strings are converted by the
 * class's own `@Transform`/`@Type` rules and defaults come from property initializers.
 */
export function loadConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const config = plainToInstance(cls, present, { exposeDefaultValues: true, excludeExtraneousValues: false });
  const errors = validateSync(config, { forbidUnknownValues: false, skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigError(describe(errors));
  }
  return config;
}
