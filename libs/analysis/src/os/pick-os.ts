import type { OsInfo } from '../model';

/** os-release(5): `/etc/os-release` takes precedence over `/usr/lib/os-release`. */
const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'];
/** Consulted without an os-release file, in this order; also refine an os-release version. */
const RELEASE_FILE_PATHS = ['etc/alpine-release', 'etc/redhat-release', 'etc/centos-release', 'etc/system-release', 'etc/debian_version'];

/**
 * Chooses the image's OS from what the OS analyzer found in its files. os-release decides the
 * distribution; a release file of the same distribution may only make its version more precise
 * (alpine-release `3.18.4` over `3.18`, debian_version `12.5` over `12`), so the codename and
 * name stay os-release's. An Ubuntu image's `debian_version` (`bookworm/sid`) is never taken for
 * its version, as its id differs. Without os-release the first release file found decides.
 */
export function pickOs(candidates: OsInfo[]): OsInfo | undefined {
  const at = (path: string): OsInfo | undefined => candidates.find((c) => c.path === path);
  const base = OS_RELEASE_PATHS.map(at).find(Boolean) ?? RELEASE_FILE_PATHS.map(at).find(Boolean) ?? candidates[0];
  if (!base) return undefined;
  for (const path of RELEASE_FILE_PATHS) {
    const file = at(path);
    if (!file || file === base || file.id !== base.id || !file.version) continue;
    if (base.version === undefined || file.version.startsWith(`${base.version}.`)) {
      return { ...base, version: file.version };
    }
  }
  return base;
}
