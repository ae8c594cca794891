import type { Package, SourcePackage } from '../../model';
import { parseRpmHeader, RpmHeaderError, RpmTag } from './rpm-header';

/**
 * `util-linux-2.32.1-42.el8_8.src.rpm` → `util-linux`, `2.32.1-42.el8_8`: name-version-release,
 * split at the last two dashes (names may contain dashes, versions and releases may not).
 */
export function parseSourceRpm(sourceRpm: string): { name: string; version: string; release: string } | undefined {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
  if (!match) return undefined;
  return { name: match[1], version: match[2], release: match[3] };
}

/** rpm's public keys are stored as pseudo-packages; they are not software. */
const NOT_PACKAGES = new Set(['gpg-pubkey']);

/**
 * The Package an rpm header describes, or `undefined` for a pseudo-package. `version` is
 * `[epoch:]version-release`, with the epoch only when the header has one (`rpm -q --qf
 * '%{EPOCHNUM}'` would print 0 for none; an absent epoch and epoch 0 compare equal anyway).
 */
export function packageFromRpmHeader(blob: Uint8Array, path: string): Package | undefined {
  const header = parseRpmHeader(blob);
  const name = header.string(RpmTag.Name);
  const version = header.string(RpmTag.Version);
  const release = header.string(RpmTag.Release);
  if (!name) throw new RpmHeaderError('no NAME');
  if (NOT_PACKAGES.has(name)) return undefined;
  if (!version || !release) throw new RpmHeaderError(`${name}: no VERSION or RELEASE`);
  const epoch = header.int32(RpmTag.Epoch);
  const arch = header.string(RpmTag.Arch);
  const license = header.string(RpmTag.License);
  const sourceRpm = header.string(RpmTag.SourceRpm);
  const epochPrefix = epoch === undefined ? '' : `${epoch}:`;
  return {
    type: 'rpm',
    name,
    version: `${epochPrefix}${version}-${release}`,
    ...(arch ? { arch } : {}),
    rpm: { ...(epoch === undefined ? {} : { epoch }), version, release, ...(sourceRpm ? { sourceRpm } : {}) },
    source: sourcePackage(sourceRpm, epochPrefix) ?? { name, version: `${epochPrefix}${version}-${release}` },
    ...(license ? { licenses: [license] } : {}),
    path,
  };
}

/**
 * The source rpm's file name never shows an epoch, but a source rpm and the binaries built from
 * it share their spec's Epoch; leaving it out would make `1:2.0.0-1` look older than any fix
 * version with an epoch and raise false alarms.
 */
function sourcePackage(sourceRpm: string | undefined, epochPrefix: string): SourcePackage | undefined {
  const parsed = sourceRpm ? parseSourceRpm(sourceRpm) : undefined;
  return parsed && { name: parsed.name, version: `${epochPrefix}${parsed.version}-${parsed.release}` };
}
