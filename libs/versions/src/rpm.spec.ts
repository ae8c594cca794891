import path from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import { describeComparisonFixture, itOrders, itRejects } from './test-support/comparison-fixture';
import { rpm } from './rpm';

describe('rpm', () => {
  describeComparisonFixture(rpm, path.join(fixturesDir(), 'versions', 'redhat-versions.txt'));

  describe('rpmvercmp and epoch:version-release', () => {
    itOrders(rpm, [
      '1.0 < 1.0.1',
      '1.0a < 1.0.1', // numbers are newer than letters
      '1.0~beta < 1.0',
      '1.0 < 1.0^20230101',
      '1.0^20230101 < 1.0.1',
      '2.17-326.el7_9 < 2.17-326.el7_9.3',
      '0:2.17-326.el7 = 2.17-326.el7',
      '1:1.0-1 > 0:9.9-9',
      '3.2.1-1.el9 < 3.2.1-1.el9_1',
      '1.1.1k-7.el8_6 < 1.1.1k-9.el8_7',
      '2.5.3-1.cm2 > 2.5.2-7.cm2',
      '00010:1 = 10:1',
      '1.0 < 1.0-1',
      '1.0-1 < 1.0-1.1',
      'a < b',
    ]);
  });

  describe('invalid versions', () => {
    itRejects(rpm, '1.0-1.el9', ['', '1:', '1:-1', '-1', '1.0 1', '1.0\n']);
  });
});
