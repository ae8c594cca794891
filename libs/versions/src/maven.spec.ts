import path from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import { describeComparisonFixture, itOrders, itRejects } from './test-support/comparison-fixture';
import { maven } from './maven';

describe('maven', () => {
  describeComparisonFixture(maven, path.join(fixturesDir(), 'versions', 'maven-versions.txt'));

  describe('ComparableVersion ordering', () => {
    itOrders(maven, [
      '1 = 1.0',
      '1.0-alpha1 < 1.0-beta1',
      '1.0-beta1 < 1.0-milestone1',
      '1.0-milestone1 < 1.0-rc1',
      '1.0-rc1 = 1.0-cr1',
      '1.0-rc1 < 1.0-SNAPSHOT',
      '1.0-SNAPSHOT < 1.0',
      '1.0 = 1.0-ga',
      '1.0 = 1.0.FINAL',
      '1.0 = 1.0.RELEASE',
      '1.0 < 1.0-sp1',
      '1.0-sp1 < 1.0-zzz',
      '1.0-abc < 1.0-abd',
      '1.0-zzz < 1.0-1',
      '1.0-1 < 1.0.1',
      '2.12.6.1 > 2.12.6',
      '5.3.27 < 5.3.28',
      '2.0.0.RELEASE = 2.0.0',
      '1.2.3-jre > 1.2.3',
      '31.1-jre < 32.0.0-jre',
      '9.4.51.v20230217 > 9.4.50.v20221201',
      '1.0.0.Final = 1.0.0',
      '3.0.0-M1 < 3.0.0',
      '99999999999999999999 < 100000000000000000000',
    ]);
  });

  describe('invalid versions', () => {
    itRejects(maven, '1.0', ['', '1.0 beta', ' 1.0', '1.0\n']);
  });
});
