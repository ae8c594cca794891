import { itOrders, itRejects } from './test-support/comparison-fixture';
import { npm } from './npm';

describe('npm', () => {
  itOrders(npm, [
    '1.2.3 < 1.2.4',
    '1.2.3-alpha < 1.2.3',
    '1.2.3-alpha.1 < 1.2.3-alpha.beta',
    '1.2.3-beta.2 < 1.2.3-beta.11',
    '1.2.3+build.1 = 1.2.3+build.2',
    '10.0.0 > 9.99.99',
    '0.0.0-0 < 0.0.0',
    'v1.2.3 = 1.2.3', // node-semver strict mode accepts the v (npm install pkg@v1.2.3)
    '4.17.21 > 4.17.20',
    '1.0.0-rc.1 < 1.0.0-rc.1.1',
  ]);

  describe('invalid versions', () => {
    itRejects(npm, '1.2.3', [
      '',
      '1.2',
      '1',
      '1.2.3.4',
      ' 1.2.3',
      '1.2.3 ',
      '=1.2.3',
      '~1.2.3',
      '^1.2.3',
      '1.2.x',
      'latest',
      '01.2.3',
      `1.2.3-${'a'.repeat(300)}`,
    ]);
  });
});
