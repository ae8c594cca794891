import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { ManifestBudget } from './manifest-budget';

const limits = { maxBytes: 1000, maxIndexChildren: 10, maxPullBytes: 2500 };

function failure(fn: () => unknown): ScanError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScanError) return error;
    throw error;
  }
  throw new Error('expected a ScanError');
}

describe('ManifestBudget', () => {
  it('refuses a declared size over MANIFEST_MAX_BYTES, naming the size, without charging it', () => {
    const budget = new ManifestBudget(limits);
    expect(failure(() => budget.expect(10_485_760, 'manifest big'))).toMatchObject({
      code: ScanErrorCode.ManifestInvalid,
      message: 'manifest big is 10485760 bytes; MANIFEST_MAX_BYTES is 1000',
    });
    expect(budget.bytes).toBe(0);
    expect(() => budget.expect(1000, 'manifest fits')).not.toThrow();
  });

  it('stops a manifest being read within the chunk that crosses MANIFEST_MAX_BYTES', () => {
    const budget = new ManifestBudget(limits);
    budget.charge(600, 600, 'manifest m');
    expect(failure(() => budget.charge(600, 1200, 'manifest m')).message).toBe(
      'manifest m is more than 1000 bytes; MANIFEST_MAX_BYTES is 1000',
    );
  });

  it('counts every manifest of the pull against MANIFEST_PULL_MAX_BYTES', () => {
    const budget = new ManifestBudget(limits);
    budget.charge(900, 900, 'manifest index');
    budget.charge(900, 900, 'manifest child 1');
    expect(budget.bytes).toBe(1800);
    // The next one is refused from its declared size before it is read ...
    expect(failure(() => budget.expect(800, 'manifest child 2')).message).toBe(
      'manifest child 2 takes the manifests of this pull past 2500 bytes; MANIFEST_PULL_MAX_BYTES is 2500',
    );
    // ... and one without a declared size while it is read.
    budget.charge(500, 500, 'manifest child 3');
    expect(failure(() => budget.charge(300, 800, 'manifest child 3')).code).toBe(ScanErrorCode.ManifestInvalid);
  });

  it('refuses the manifest after MANIFEST_PULL_MAX_COUNT, and counts nothing without that limit', () => {
    const counted = new ManifestBudget({ ...limits, maxPullManifests: 2 });
    counted.admit('manifest a');
    counted.admit('manifest b');
    expect(failure(() => counted.admit('manifest c')).message).toBe(
      'manifest c: the pull reads more than 2 manifests; MANIFEST_PULL_MAX_COUNT is 2',
    );
    const uncounted = new ManifestBudget(limits);
    expect(() => Array.from({ length: 100 }, (_, i) => uncounted.admit(`manifest ${i}`))).not.toThrow();
  });
});
