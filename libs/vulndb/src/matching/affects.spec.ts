import type { AffectedPackage } from '../model';
import { affects } from './affects';
import { affected } from './test-support/records';

describe('affects', () => {
  describe('introduced / fixed', () => {
    const lodash = affected('npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }]);

    it('affects versions from introduced up to (not including) fixed, and names the fix', () => {
      expect(affects(lodash, '4.17.20')).toEqual({ affected: true, fixed: '4.17.21' });
      expect(affects(lodash, '0.1.0')).toEqual({ affected: true, fixed: '4.17.21' });
      expect(affects(lodash, '4.17.21')).toEqual({ affected: false });
      expect(affects(lodash, '5.0.0')).toEqual({ affected: false });
    });

    it('starts at introduced', () => {
      const entry = affected('npm', 'x', [{ introduced: '2.0.0' }, { fixed: '2.3.1' }]);
      expect(affects(entry, '1.9.9').affected).toBe(false);
      expect(affects(entry, '2.0.0')).toEqual({ affected: true, fixed: '2.3.1' });
      expect(affects(entry, '2.3.1-beta.1')).toEqual({ affected: true, fixed: '2.3.1' });
    });

    it('leaves a range without fix affected to the end, with no fixed version', () => {
      expect(affects(affected('npm', 'x', [{ introduced: '1.0.0' }]), '99.0.0')).toEqual({ affected: true });
    });

    it('reads an empty range (introduced and fixed at one version) as affecting nothing', () => {
      const entry = affected('npm', 'x', [{ introduced: '1.0.0' }, { fixed: '1.0.0' }]);
      expect(affects(entry, '1.0.0').affected).toBe(false);
    });
  });

  it('evaluates several introduced/fixed pairs of one range and several ranges', () => {
    const oneRange = affected('Maven', 'org.example:lib', [
      { introduced: '0' },
      { fixed: '1.2.5' },
      { introduced: '1.3.0' },
      { fixed: '1.3.2' },
    ]);
    expect(affects(oneRange, '1.2.0')).toEqual({ affected: true, fixed: '1.2.5' });
    expect(affects(oneRange, '1.2.7').affected).toBe(false);
    expect(affects(oneRange, '1.3.1')).toEqual({ affected: true, fixed: '1.3.2' });
    expect(affects(oneRange, '1.3.2').affected).toBe(false);

    const twoRanges: AffectedPackage = {
      ecosystem: 'Maven',
      name: 'org.example:lib',
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.5' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '1.3.0' }, { fixed: '1.3.2' }] },
      ],
      versions: [],
    };
    expect(affects(twoRanges, '1.2.0')).toEqual({ affected: true, fixed: '1.2.5' });
    expect(affects(twoRanges, '1.2.7').affected).toBe(false);
    expect(affects(twoRanges, '1.3.1')).toEqual({ affected: true, fixed: '1.3.2' });
  });

  it('picks the smallest fix that clears every range when ranges overlap', () => {
    // Alpine-style: a fix that took two releases, `< 1.0-r0` and `< 2.0-r0`
    const entry: AffectedPackage = {
      ecosystem: 'Alpine:v3.18',
      name: 'intel-ucode',
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '20230808-r0' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '20231114-r0' }] },
      ],
      versions: [],
    };
    expect(affects(entry, '20230512-r0')).toEqual({ affected: true, fixed: '20231114-r0' });
    expect(affects(entry, '20230808-r0')).toEqual({ affected: true, fixed: '20231114-r0' });
    expect(affects(entry, '20231114-r0').affected).toBe(false);
  });

  it('treats last_affected as inclusive', () => {
    const entry = affected('crates.io', 'smallvec', [{ introduced: '0.6.3' }, { last_affected: '0.6.13' }]);
    expect(affects(entry, '0.6.2').affected).toBe(false);
    expect(affects(entry, '0.6.3')).toEqual({ affected: true });
    expect(affects(entry, '0.6.13')).toEqual({ affected: true });
    expect(affects(entry, '0.6.14').affected).toBe(false);
    expect(affects(entry, '1.0.0').affected).toBe(false);
  });

  it('affects nothing at or above a limit', () => {
    const entry = affected('crates.io', 'x', [{ introduced: '0' }, { limit: '2.0.0' }]);
    expect(affects(entry, '1.9.9')).toEqual({ affected: true });
    expect(affects(entry, '2.0.0').affected).toBe(false);
    expect(affects(entry, '2.5.0').affected).toBe(false);
    // a later introduction cannot reach past the limit
    const later = affected('crates.io', 'x', [{ introduced: '0' }, { fixed: '1.0.0' }, { limit: '2.0.0' }, { introduced: '3.0.0' }]);
    expect(affects(later, '0.5.0')).toEqual({ affected: true, fixed: '1.0.0' });
    expect(affects(later, '3.1.0').affected).toBe(false);
  });

  it('sorts events before evaluating them', () => {
    const entry = affected('npm', 'x', [{ fixed: '1.3.2' }, { introduced: '1.3.0' }, { fixed: '1.2.5' }, { introduced: '0' }]);
    expect(affects(entry, '1.2.0')).toEqual({ affected: true, fixed: '1.2.5' });
    expect(affects(entry, '1.2.9').affected).toBe(false);
    expect(affects(entry, '1.3.1')).toEqual({ affected: true, fixed: '1.3.2' });
  });

  describe('introduced "0" is the lowest version in every scheme', () => {
    it.each([
      ['npm', '0.0.1-alpha'],
      ['Maven', '0.0.1'],
      ['PyPI', '0.0.1.dev1'],
      ['Go', '0.0.0-20200101000000-abcdefabcdef'],
      ['crates.io', '0.0.0'],
      ['Debian:12', '0~rc1-1'],
    ])('%s: %s is affected', (ecosystem, version) => {
      expect(affects(affected(ecosystem, 'x', [{ introduced: '0' }, { fixed: '9.0.0' }]), version)).toEqual({
        affected: true,
        fixed: '9.0.0',
      });
    });

    it('in SEMVER ranges too', () => {
      const entry: AffectedPackage = {
        ecosystem: 'npm',
        name: 'x',
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }],
        versions: [],
      };
      expect(affects(entry, '0.9.0')).toEqual({ affected: true, fixed: '1.0.0' });
      expect(affects(entry, '1.0.0').affected).toBe(false);
    });
  });

  describe('versions lists', () => {
    it('affects listed versions, equal by the ecosystem ordering', () => {
      const entry = affected('PyPI', 'x', [], ['1.0', '1.1']);
      expect(affects(entry, '1.1')).toEqual({ affected: true });
      expect(affects(entry, '1.0.0')).toEqual({ affected: true }); // PEP 440: 1.0 == 1.0.0
      expect(affects(entry, '1.2')).toEqual({ affected: false });
    });

    it('falls back to string equality for versions the scheme cannot parse', () => {
      const entry = affected('npm', 'x', [], ['not-a-version']);
      expect(affects(entry, 'not-a-version')).toEqual({ affected: true });
      expect(affects(entry, '1.0.0')).toEqual({ affected: false });
    });

    it('counts alongside ranges', () => {
      const entry = affected('npm', 'x', [{ introduced: '2.0.0' }, { fixed: '2.1.0' }], ['1.5.0']);
      expect(affects(entry, '1.5.0')).toEqual({ affected: true });
      expect(affects(entry, '2.0.5')).toEqual({ affected: true, fixed: '2.1.0' });
      expect(affects(entry, '1.6.0').affected).toBe(false);
    });
  });

  describe('dpkg ordering', () => {
    it('orders ~ before everything: a backport is older than the release it backports', () => {
      const entry = affected('Debian:12', 'openssl', [{ introduced: '0' }, { fixed: '1.2-1' }]);
      expect(affects(entry, '1.2-1~deb12u1')).toEqual({ affected: true, fixed: '1.2-1' });
      expect(affects(entry, '1.2-1')).toEqual({ affected: false });
      expect(affects(entry, '1.2-1+deb12u1')).toEqual({ affected: false });
    });

    it('honours epochs', () => {
      const entry = affected('Debian:12', 'x', [{ introduced: '0' }, { fixed: '1:1.0-1' }]);
      expect(affects(entry, '9.9-1').affected).toBe(true);
      expect(affects(entry, '1:1.0-1').affected).toBe(false);
    });
  });

  describe('invalid versions', () => {
    it('reports an installed version the scheme rejects, without throwing', () => {
      const result = affects(affected('npm', 'x', [{ introduced: '0' }, { fixed: '1.0.0' }]), 'banana');
      expect(result.affected).toBe(false);
      expect(result.error).toMatch(/installed version: invalid npm version "banana"/);
    });

    it('reports an event version the scheme rejects, naming it', () => {
      const result = affects(affected('Maven', 'g:a', [{ introduced: '0' }, { fixed: '' }]), '1.0');
      expect(result.affected).toBe(false);
      expect(result.error).toMatch(/ECOSYSTEM range event fixed: invalid maven version ""/);
      const semverRange: AffectedPackage = {
        ecosystem: 'npm',
        name: 'x',
        ranges: [{ type: 'SEMVER', events: [{ introduced: '1.2' }] }],
        versions: [],
      };
      expect(affects(semverRange, '1.2.0').error).toMatch(/SEMVER range event introduced: invalid semver version "1.2"/);
    });

    it('still counts the ranges it can evaluate', () => {
      const entry: AffectedPackage = {
        ecosystem: 'npm',
        name: 'x',
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: 'garbage' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] },
        ],
        versions: [],
      };
      const result = affects(entry, '1.0.0');
      expect(result).toMatchObject({ affected: true, fixed: '2.0.0' });
      expect(result.error).toMatch(/"garbage"/);
    });

    it('reports an ecosystem without a known ordering', () => {
      const result = affects(affected('Hackage', 'x', [{ introduced: '0' }]), '1.0');
      expect(result).toEqual({ affected: false, error: expect.stringMatching(/no version ordering is known for ecosystem "Hackage"/) });
    });
  });
});
