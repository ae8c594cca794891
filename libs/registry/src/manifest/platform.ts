import type { Platform } from '../types';

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/**
 * containerd's normalization (platforms/database.go): aliases such as x86_64 or aarch64 and the
 * default variants (arm64 is v8, arm is v7, amd64 is v1) collapse to one spelling.
 */
export function normalizePlatform(platform: Platform): Required<Platform> {
  const os = platform.os.toLowerCase() === 'macos' ? 'darwin' : platform.os.toLowerCase();
  let architecture = platform.architecture.toLowerCase();
  let variant = (platform.variant ?? '').toLowerCase();
  switch (architecture) {
    case 'i386':
      architecture = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = '';
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (/^[568]$/.test(variant)) variant = `v${variant}`;
      break;
  }
  return { os, architecture, variant };
}

/**
 * The platforms that can run on `wanted`, best first: the platform itself, then older variants of
 * the same architecture (containerd's platformVector). Unlike containerd we never fall back to
 * another architecture (386 for amd64, arm for arm64): a scan must report the packages of the
 * architecture that was asked for.
 */
function compatibleVariants(wanted: Required<Platform>): Required<Platform>[] {
  const vector = [wanted];
  const version = Number.parseInt(wanted.variant.replace(/^v/, ''), 10);
  const lowest = wanted.architecture === 'arm' ? 5 : wanted.architecture === 'amd64' ? 1 : undefined;
  if (lowest !== undefined && Number.isInteger(version)) {
    for (let v = version - 1; v >= lowest; v--) {
      vector.push({ ...wanted, variant: wanted.architecture === 'amd64' && v === 1 ? '' : `v${v}` });
    }
  }
  return vector;
}

function samePlatform(a: Required<Platform>, b: Required<Platform>): boolean {
  return a.os === b.os && a.architecture === b.architecture && a.variant === b.variant;
}

/** Index of the best entry for `wanted` among `candidates`, or -1. */
export function selectPlatform(candidates: readonly (Platform | undefined)[], wanted: Platform = DEFAULT_PLATFORM): number {
  const normalized = candidates.map((c) => (c ? normalizePlatform(c) : undefined));
  for (const acceptable of compatibleVariants(normalizePlatform(wanted))) {
    const index = normalized.findIndex((c) => c !== undefined && samePlatform(c, acceptable));
    if (index >= 0) return index;
  }
  return -1;
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter((part) => part).join('/');
}
