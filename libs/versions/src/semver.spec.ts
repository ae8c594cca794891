import path from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import { describeComparisonFixture, itOrders, itRejects } from './test-support/comparison-fixture';
import { semver } from './semver';

describe('semver', () => {
  describeComparisonFixture(semver, path.join(fixturesDir(), 'versions', 'semver-versions.txt'));

  describe('SemVer 2.0.0 precedence (semver.org section 11)', () => {
    itOrders(semver, [
      '1.0.0-alpha < 1.0.0-alpha.1',
      '1.0.0-alpha.1 < 1.0.0-alpha.beta',
      '1.0.0-alpha.beta < 1.0.0-beta',
      '1.0.0-beta < 1.0.0-beta.2',
      '1.0.0-beta.2 < 1.0.0-beta.11',
      '1.0.0-beta.11 < 1.0.0-rc.1',
      '1.0.0-rc.1 < 1.0.0',
      '1.0.0+build.1 = 1.0.0+build.2',
      '1.0.0-rc.1+build.1 < 1.0.0',
      '18446744073709551616.0.0 > 18446744073709551615.0.0',
    ]);
  });

  describe('OSV readings beyond the specification', () => {
    itOrders(semver, [
      'v1.2.3 = 1.2.3',
      '0 = 0.0.0', // OSV's introduced: "0"
      '0 < 0.0.1-alpha',
      '2 > 1.99.99',
      '1.2.3.4 = 1.2.3', // components after PATCH are build metadata
      '1.2.3.4-beta < 1.2.3',
    ]);
  });

  describe('invalid versions', () => {
    itRejects(semver, '1.2.3', [
      '',
      '1.2',
      'v1.2',
      '01',
      '1-beta',
      '01.2.3',
      '1.02.3',
      '1.2.3-01',
      '1.2.3-',
      '1.2.3+',
      '1.2.3-a..b',
      'V1.2.3',
      ' 1.2.3',
      'x.y.z',
    ]);
  });
});
