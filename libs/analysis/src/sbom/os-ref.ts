import type { OsInfo } from '../model';

/**
 * The OS's reference inside an exported document. Package ids are 16 hex digits, so an `os-`
 * prefix can never collide with one.
 */
export function osRef(os: OsInfo): string {
  return os.version ? `os-${os.id}-${os.version}` : `os-${os.id}`;
}
