import { compareCvssType, parseCvss } from './cvss';

describe('parseCvss', () => {
  // Base scores as FIRST's calculators and NVD give them.
  it.each([
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 'CVSS_V2', 7.5],
    ['AV:N/AC:M/Au:N/C:N/I:P/A:N', 'CVSS_V2', 4.3],
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C/E:U', 'CVSS_V2', 10],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS_V3', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 'CVSS_V3', 6.1],
    ['CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', 'CVSS_V3', 5.5],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N', 'CVSS_V3', 6.5],
    // Temporal metrics do not change the base score.
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O', 'CVSS_V3', 9.8],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'CVSS_V4', 9.3],
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'CVSS_V4', 8.5],
    // Threat metrics lower CVSS-BT, not the base score CVSS-B.
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 'CVSS_V4', 9.3],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 'CVSS_V3', 0],
  ])('%s is %s with base score %d', (vector, type, score) => {
    expect(parseCvss(vector)).toEqual({ type, vector, score });
  });

  it.each([
    ['not a vector', 'garbage'],
    ['an empty string', ''],
    ['a vector missing base metrics', 'CVSS:3.1/AV:N/AC:L'],
    ['an unknown metric value', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q'],
    ['an unknown metric', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/FOO:B'],
    ['a metric given twice', 'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['an unknown version', 'CVSS:5.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['a v2 vector without AV first', 'AC:L/AV:N/Au:N/C:P/I:P/A:P'],
  ])('has no score for %s', (_what, vector) => {
    expect(parseCvss(vector)).toBeUndefined();
  });

  it('orders newest CVSS version first', () => {
    const scores = [
      'AV:N/AC:L/Au:N/C:P/I:P/A:P',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
    ].map((vector) => parseCvss(vector)!);
    expect(scores.sort(compareCvssType).map((s) => s.type)).toEqual(['CVSS_V4', 'CVSS_V3', 'CVSS_V2']);
  });
});
