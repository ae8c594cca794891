import { spdxExpressionOf } from './licenses';

describe('spdxExpressionOf', () => {
  it('keeps a single valid expression as it is', () => {
    expect(spdxExpressionOf(['GPL-2.0-only'])).toBe('GPL-2.0-only');
    expect(spdxExpressionOf(['Apache-2.0 WITH LLVM-exception'])).toBe('Apache-2.0 WITH LLVM-exception');
    expect(spdxExpressionOf(['GPL-2.0+'])).toBe('GPL-2.0+');
  });

  it('joins several with AND, parenthesizing compound ones, dropping blanks and repeats', () => {
    expect(spdxExpressionOf(['MIT', 'BSD-3-Clause', 'GPL-2.0-or-later'])).toBe('MIT AND BSD-3-Clause AND GPL-2.0-or-later');
    expect(spdxExpressionOf(['MIT OR Apache-2.0', ' ISC ', '', 'ISC'])).toBe('(MIT OR Apache-2.0) AND ISC');
  });

  it('refuses free text, case slips and refs whose text we do not have', () => {
    expect(spdxExpressionOf(['GPL2+'])).toBeUndefined();
    expect(spdxExpressionOf(['mit'])).toBeUndefined();
    expect(spdxExpressionOf(['MIT', 'custom'])).toBeUndefined();
    expect(spdxExpressionOf(['MIT AND LicenseRef-Proprietary'])).toBeUndefined();
    expect(spdxExpressionOf(['DocumentRef-x:LicenseRef-y'])).toBeUndefined();
  });

  it('has nothing to say about no licenses', () => {
    expect(spdxExpressionOf(undefined)).toBeUndefined();
    expect(spdxExpressionOf([])).toBeUndefined();
    expect(spdxExpressionOf(['  '])).toBeUndefined();
  });
});
