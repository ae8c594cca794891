import { formatPlatform, normalizePlatform, selectPlatform } from './platform';

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const armv7 = { os: 'linux', architecture: 'arm', variant: 'v7' };
const armv6 = { os: 'linux', architecture: 'arm', variant: 'v6' };
const windows = { os: 'windows', architecture: 'amd64' };
const attestation = { os: 'unknown', architecture: 'unknown' };

describe('platform selection', () => {
  it('defaults to linux/amd64', () => {
    expect(selectPlatform([arm64, windows, amd64, attestation])).toBe(2);
  });

  it('treats arm64 without variant and arm64/v8 as the same platform', () => {
    expect(selectPlatform([amd64, arm64], { os: 'linux', architecture: 'arm64' })).toBe(1);
    expect(selectPlatform([amd64, { os: 'linux', architecture: 'arm64' }], { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(1);
    expect(selectPlatform([{ os: 'linux', architecture: 'aarch64' }], { os: 'linux', architecture: 'arm64' })).toBe(0);
  });

  it('defaults arm to v7 and falls back to older variants, best first', () => {
    expect(selectPlatform([armv6, armv7], { os: 'linux', architecture: 'arm' })).toBe(1);
    expect(selectPlatform([armv6, amd64], { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(0);
    expect(selectPlatform([armv7], { os: 'linux', architecture: 'arm', variant: 'v6' })).toBe(-1);
  });

  it('falls back to older amd64 micro-architecture levels', () => {
    const v2 = { os: 'linux', architecture: 'amd64', variant: 'v2' };
    expect(selectPlatform([amd64, v2], { os: 'linux', architecture: 'amd64', variant: 'v3' })).toBe(1);
    expect(selectPlatform([{ os: 'linux', architecture: 'amd64', variant: 'v1' }])).toBe(0);
  });

  it('never crosses architectures or operating systems', () => {
    expect(selectPlatform([{ os: 'linux', architecture: '386' }])).toBe(-1);
    expect(selectPlatform([armv7], { os: 'linux', architecture: 'arm64' })).toBe(-1);
    expect(selectPlatform([windows])).toBe(-1);
    expect(selectPlatform([amd64, arm64], { os: 'linux', architecture: 's390x' })).toBe(-1);
  });

  it('skips entries without a platform', () => {
    expect(selectPlatform([undefined, amd64])).toBe(1);
  });

  it('normalizes aliases as containerd does', () => {
    expect(normalizePlatform({ os: 'Linux', architecture: 'x86_64' })).toEqual({ os: 'linux', architecture: 'amd64', variant: '' });
    expect(normalizePlatform({ os: 'linux', architecture: 'armhf' })).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(normalizePlatform({ os: 'linux', architecture: 'armel' })).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(normalizePlatform({ os: 'linux', architecture: 'i386' })).toEqual({ os: 'linux', architecture: '386', variant: '' });
    expect(normalizePlatform({ os: 'macos', architecture: 'arm64', variant: '8' })).toEqual({
      os: 'darwin',
      architecture: 'arm64',
      variant: '',
    });
  });

  it('formats platforms', () => {
    expect(formatPlatform(arm64)).toBe('linux/arm64/v8');
    expect(formatPlatform(amd64)).toBe('linux/amd64');
  });
});
