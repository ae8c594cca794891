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
  it('refuses a declared size over MANIFEST_MAX_BYTES, naming the size, and holds nothing for it', () => {
    const budget = new ManifestBudget(limits);
    expect(failure(() => budget.open('manifest big', 10_485_760))).toMatchObject({
      code: ScanErrorCode.ManifestInvalid,
      message: 'manifest big is 10485760 bytes; MANIFEST_MAX_BYTES is 1000',
    });
    expect(failure(() => budget.open('manifest lying').expect(1001)).message).toBe(
      'manifest lying is 1001 bytes; MANIFEST_MAX_BYTES is 1000',
    );
    expect(budget.bytes).toBe(0);
  });

  it('stops a manifest being read within the chunk that crosses MANIFEST_MAX_BYTES', () => {
    const reading = new ManifestBudget(limits).open('manifest m');
    reading.add(600);
    expect(failure(() => reading.add(600)).message).toBe('manifest m is more than 1000 bytes; MANIFEST_MAX_BYTES is 1000');
  });

  it('counts every manifest of the pull against MANIFEST_PULL_MAX_BYTES, holding declared sizes while they are read', () => {
    const budget = new ManifestBudget(limits);
    const index = budget.open('manifest index');
    index.add(900);
    index.done();
    // Two children fetched at once: the first holds its declared 900 bytes before a byte arrives ...
    const first = budget.open('manifest child 1', 900);
    expect(budget.bytes).toBe(1800);
    // ... so the second cannot count on them.
    expect(failure(() => budget.open('manifest child 2', 800)).message).toBe(
      'manifest child 2 takes the manifests of this pull past 2500 bytes; MANIFEST_PULL_MAX_BYTES is 2500',
    );
    // A child that turns out smaller than declared gives the rest back once read.
    first.add(500);
    first.done();
    expect(budget.bytes).toBe(1400);
    // Ones without a declared size are stopped while they are read.
    const third = budget.open('manifest child 3');
    third.add(1000);
    third.done();
    const fourth = budget.open('manifest child 4');
    expect(failure(() => fourth.add(200)).message).toBe(
      'manifest child 4 takes the manifests of this pull past 2500 bytes; MANIFEST_PULL_MAX_BYTES is 2500',
    );
  });

  it('refuses the manifest after MANIFEST_PULL_MAX_COUNT, and counts nothing without that limit', () => {
    const counted = new ManifestBudget({ ...limits, maxPullManifests: 2 });
    counted.open('manifest a');
    counted.open('manifest b');
    expect(failure(() => counted.open('manifest c')).message).toBe(
      'manifest c: the pull reads more than 2 manifests; MANIFEST_PULL_MAX_COUNT is 2',
    );
    const uncounted = new ManifestBudget(limits);
    expect(() => Array.from({ length: 100 }, (_, i) => uncounted.open(`manifest ${i}`))).not.toThrow();
  });
});
