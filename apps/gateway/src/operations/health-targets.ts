import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

/** A service whose readiness URL the platform health probes. */
export interface HealthTarget {
  readonly name: string;
  readonly url: string;
}

/** Judged from the database and the scheduler's heartbeats, never probed by URL. */
export const BUILT_IN_COMPONENTS = ['gateway', 'database', 'scan-scheduler', 'scanner-worker'] as const;

/** HEALTH_CHECK_URLS that probes nothing (a platform deployed without the cache, say). */
export const NO_HEALTH_TARGETS = 'none';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Parses HEALTH_CHECK_URLS: comma-separated `<name>=<http(s) URL>`, e.g.
 * `blob-cache-worker=http://blob-cache-worker:5001/health/ready`; `none` for no probes.
 * Throws an Error naming the bad entry.
 */
export function parseHealthTargets(value: string): HealthTarget[] {
  if (value.trim() === NO_HEALTH_TARGETS) return [];
  const targets: HealthTarget[] = [];
  for (const entry of value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)) {
    const separator = entry.indexOf('=');
    const name = separator > 0 ? entry.slice(0, separator).trim() : '';
    const url = separator > 0 ? entry.slice(separator + 1).trim() : '';
    if (!NAME.test(name)) throw new Error(`entry ${JSON.stringify(entry)} must be <name>=<url> with a lowercase name`);
    if ((BUILT_IN_COMPONENTS as readonly string[]).includes(name)) {
      throw new Error(`${name} is judged from the scheduler's heartbeats and the database, not probed; leave it out`);
    }
    if (targets.some((target) => target.name === name)) throw new Error(`${name} is listed twice`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`the URL of ${name} (${JSON.stringify(url)}) is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`the URL of ${name} must be http(s)`);
    if (parsed.username || parsed.password) throw new Error(`the URL of ${name} must not carry credentials`);
    targets.push({ name, url: parsed.toString() });
  }
  if (targets.length === 0) throw new Error(`list at least one <name>=<url>, or set it to ${NO_HEALTH_TARGETS}`);
  return targets;
}

function problem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a comma-separated list of <name>=<url>';
  try {
    parseHealthTargets(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

@ValidatorConstraint({ name: 'healthTargets' })
export class HealthTargetList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return problem(value) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return problem(args.value) ?? 'is invalid';
  }
}
