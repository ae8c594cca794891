import path from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import { describeComparisonFixture, itOrders, itRejects } from './test-support/comparison-fixture';
import { dpkg } from './dpkg';

describe('dpkg', () => {
  describeComparisonFixture(dpkg, path.join(fixturesDir(), 'versions', 'debian-versions.txt'));

  describe('Debian policy 5.6.12 ordering', () => {
    itOrders(dpkg, [
      '1.0~rc1 < 1.0', // ~ sorts before the end of the string
      '1.0~~ < 1.0~',
      '1.0~ < 1.0',
      '1.0 < 1.0a',
      '1.0a < 1.0+', // letters before non-letters
      '1.0+ < 1.0.',
      '1.0-1 < 1.0-1+deb12u1',
      '1.0-1+deb12u1 < 1.0-2',
      '2.36-9+deb12u4 < 2.36-9+deb12u10',
      '1:1.0 > 9.9',
      '0:1.0 = 1.0',
      '1.0-0 = 1.0',
      '1.0-1ubuntu0.1 < 1.0-1ubuntu1',
      '1.2.3+dfsg-1 > 1.2.3-1',
      '7.88.1-10+deb12u5 > 7.88.1-10+deb12u4',
      '1.0 = 1.00',
      '1.0-a-1 > 1.0-a', // upstream may hold hyphens when there is a revision
      '10 > 9',
      '1.0b1 > 1.0a9',
      '2:1.0 > 1:99',
      'a1 < b1', // dpkg only warns about a non-digit start
    ]);
  });

  describe('invalid versions', () => {
    itRejects(dpkg, '1.0-1', ['', '1:', ':1.0', 'a:1', '-1:1.0', '1.0-', '-1', '1.0 beta', '1.0_1', '1.0-1_2', '99999999999:1.0', '1.0\t']);
  });
});
