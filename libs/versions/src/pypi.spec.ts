import path from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import { describeComparisonFixture, itOrders, itRejects } from './test-support/comparison-fixture';
import { pypi } from './pypi';

describe('pypi', () => {
  describeComparisonFixture(pypi, path.join(fixturesDir(), 'versions', 'pypi-versions.txt'));

  describe('PEP 440 ordering', () => {
    itOrders(pypi, [
      '1.0.dev456 < 1.0a1',
      '1.0a1 < 1.0a2.dev456',
      '1.0a2.dev456 < 1.0a12.dev456',
      '1.0a12.dev456 < 1.0a12',
      '1.0a12 < 1.0b1.dev456',
      '1.0b1.dev456 < 1.0b2',
      '1.0b2 < 1.0b2.post345.dev456',
      '1.0b2.post345.dev456 < 1.0b2.post345',
      '1.0b2.post345 < 1.0rc1.dev456',
      '1.0rc1.dev456 < 1.0rc1',
      '1.0rc1 < 1.0',
      '1.0 < 1.0+abc.5',
      '1.0+abc.5 < 1.0+abc.7',
      '1.0+abc.7 < 1.0+5',
      '1.0+5 < 1.0.post456.dev34',
      '1.0.post456.dev34 < 1.0.post456',
      '1.0.post456 < 1.1.dev1',
      '1.0 = 1.0.0',
      '1.0 = v1.0',
      '1.0alpha1 = 1.0a1',
      '1.0c1 = 1.0rc1',
      '1!0.1 > 2.0',
      '2.0 > 2.0-legacy-suffix',
      '1.0-foo < 1.0-goo',
    ]);
  });

  describe('invalid versions', () => {
    itRejects(pypi, '1.0', ['', 'not a version', '1.0 ', '1.0/2', '...', '1,0']);
  });
});
