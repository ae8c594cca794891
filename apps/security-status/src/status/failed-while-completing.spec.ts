import { SecurityStatus, UnsupportedReason } from '@vulnscan/status-data';
import { failedWhileCompleting } from './failed-while-completing';

const failedAt = new Date('2026-12-07T10:00:00.000Z');
const unsupported = { status: SecurityStatus.Unsupported, reason: UnsupportedReason.LayersUnavailable as string, updatedAt: failedAt };
const complete = (completedAt?: string) => ({ upstream: 'docker.io', repository: 'library/alpine', digest: 'sha256:ab', completedAt });

describe('failedWhileCompleting (the race the cache peek used to settle)', () => {
  it('is true when every blob was placed before (or as) the missing-layers failure was recorded', () => {
    expect(failedWhileCompleting(unsupported, complete('2026-12-07T09:59:59.999Z'))).toBe(true);
    expect(failedWhileCompleting(unsupported, complete('2026-12-07T10:00:00.000Z'))).toBe(true);
  });

  it('is false when the manifest completed after the failure, or the cache did not say when', () => {
    expect(failedWhileCompleting(unsupported, complete('2026-12-07T10:00:00.001Z'))).toBe(false);
    expect(failedWhileCompleting(unsupported, complete(undefined))).toBe(false);
  });

  it('is false for any status but unsupported for missing layers', () => {
    expect(failedWhileCompleting({ ...unsupported, reason: UnsupportedReason.ManifestList }, complete('2026-12-07T09:00:00.000Z'))).toBe(
      false,
    );
    expect(
      failedWhileCompleting({ ...unsupported, status: SecurityStatus.InProgress, reason: null }, complete('2026-12-07T09:00:00.000Z')),
    ).toBe(false);
  });
});
