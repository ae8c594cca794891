import { itOrders, itRejects } from './test-support/comparison-fixture';
import { go } from './go';

describe('go', () => {
  describe('module versions, with or without the v prefix', () => {
    itOrders(go, [
      'v1.2.3 = 1.2.3',
      'v1.2.3 < 1.2.4',
      '1.10.0 > v1.9.9',
      'v1.0.0-rc.1 < 1.0.0',
      'v2.0.0+incompatible = v2.0.0', // +incompatible is build metadata
      'v2.0.0+incompatible < v2.0.1',
      'v3.1.0+incompatible > 2.9.9',
      '0 = v0.0.0', // OSV's introduced: "0"
    ]);
  });

  describe('pseudo-versions order as pre-releases', () => {
    itOrders(go, [
      'v0.0.0-20230101120000-abcdef123456 < v0.0.0-20230102120000-000000000000',
      'v0.0.0-20230101120000-abcdef123456 < v0.0.1',
      '0.0.0-20230101-abcdef < 0.0.0-20230102-abcdef', // as OSV writes them
      'v0.0.0-20230101120000-abcdef123456 = 0.0.0-20230101120000-abcdef123456',
      // vX.Y.(Z+1)-0.yyyymmddhhmmss-hash: after vX.Y.Z, before vX.Y.(Z+1)
      'v1.2.3 < v1.2.4-0.20230101120000-abcdef123456',
      'v1.2.4-0.20230101120000-abcdef123456 < v1.2.4',
      'v1.2.4-pre < v1.2.4-pre.0.20230101120000-abcdef123456',
      'v1.2.4-pre.0.20230101120000-abcdef123456 < v1.2.4',
    ]);
  });

  describe('toolchain (stdlib) versions', () => {
    itOrders(go, [
      'go1.21.5 = 1.21.5',
      'go1.21.5 = v1.21.5',
      'go1.21rc2 = 1.21.0-rc.2',
      'go1.21 = 1.21.0',
      'go1.21rc2 < go1.21',
      'go1.21rc1 < go1.21rc2',
      'go1.20.14 < go1.21rc1',
      'go1.9beta1 = 1.9.0-beta.1',
      'go1.9beta2 < go1.9rc1',
      'go1.9.2rc2 = 1.9.2-rc.2',
      'go1.21.0 < 1.21.1',
      'go1.21.5 < 1.21.6',
      'go1 = 1.0.0',
    ]);

    it('ignores a GOEXPERIMENT note after a toolchain version', () => {
      expect(go.compare('go1.20.10 X:boringcrypto', '1.20.10')).toBe(0);
      expect(go.compare('go1.20.10 X:boringcrypto,loopvar', 'go1.20.11')).toBe(-1);
    });
  });

  describe('invalid versions', () => {
    itRejects(go, 'v1.2.3', [
      '',
      'devel go1.22-abcdef Mon Jan 1 00:00:00 2024 +0000',
      'devel',
      '1.2',
      'v1.2',
      'go',
      'go1.21.x',
      'go1.21rc',
      'go1.21.5 X:',
      'gopher',
      'V1.2.3',
      '1.2.3-',
    ]);
  });
});
