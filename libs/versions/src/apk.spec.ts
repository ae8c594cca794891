import path from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import { apk } from './apk';
import { describeComparisonFixture, itOrders, itRejects } from './test-support/comparison-fixture';

describe('apk', () => {
  describeComparisonFixture(apk, path.join(fixturesDir(), 'versions', 'alpine-versions.txt'));

  describe('apk-tools ordering', () => {
    itOrders(apk, [
      '1.2.3-r0 < 1.2.3-r1',
      '1.2.3-r9 < 1.2.3-r10',
      '1.2.3_rc1-r0 < 1.2.3-r0',
      '1.2.3_alpha < 1.2.3_beta',
      '1.2.3_beta < 1.2.3_pre',
      '1.2.3_pre < 1.2.3_rc',
      '1.2.3_rc < 1.2.3',
      '1.2.3 < 1.2.3_cvs',
      '1.2.3_cvs < 1.2.3_svn',
      '1.2.3_svn < 1.2.3_git',
      '1.2.3_git < 1.2.3_hg',
      '1.2.3_hg < 1.2.3_p',
      '1.2.3_p1 < 1.2.3_p2',
      '1.2.3 < 1.2.3a',
      '1.2.3a < 1.2.4',
      '1.2.3 < 1.2.3.1',
      '1.05 < 1.1', // a leading zero makes the component compare as text
      '3.0.8-r0 < 3.0.10-r0',
      '1.36.1-r2 > 1.36.1-r1',
      '1.0~abc = 1.0~abc',
      '1.0~abc < 1.0~abd',
      '1.0~abc-r0 < 1.0~abc-r1',
      '1.0 < 1.0~abc',
      '2.38-r3 > 2.38_pre20221231-r0',
      '1.0_alpha1_p2 > 1.0_alpha1',
      '1.0_alpha1_p2 < 1.0',
    ]);
  });

  describe('invalid versions', () => {
    itRejects(apk, '1.2.3-r0', ['', '1.2.3 r0', '1:2.3', '1.2+3', '1.2/3', '-', '._~', 'é1']);
  });
});
