import { CommandRejectedError } from '@vulnscan/messaging';
import { TagFilter } from './tag-filter';

describe('TagFilter', () => {
  it('is absent without a pattern', () => {
    expect(TagFilter.compile(undefined)).toBeUndefined();
  });

  it('tests the tag only, unanchored unless the pattern anchors it', () => {
    const filter = TagFilter.compile('^v?1\\.')!;
    expect(filter.select(['1.0', 'v1.2', '11.0', 'release-1.0', 'latest'])).toEqual(['1.0', 'v1.2']);
    expect(TagFilter.compile('alpine')!.select(['3.10-alpine', 'alpine', 'bookworm'])).toEqual(['3.10-alpine', 'alpine']);
    expect(TagFilter.compile('^3\\.10$')!.matches('3.10')).toBe(true);
    expect(TagFilter.compile('^3\\.10$')!.matches('3.100')).toBe(false);
  });

  it('rejects a pattern that does not compile with 400', () => {
    const error = (() => {
      try {
        return TagFilter.compile('v(1');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CommandRejectedError);
    expect(error).toMatchObject({
      code: 'invalid_target',
      message: 'target.tagFilter is not a valid regular expression: Invalid regular expression: /v(1/: Unterminated group',
    });
  });

  it('stops a catastrophically backtracking pattern within its budget and rejects it as invalid_target', () => {
    const filter = TagFilter.compile('^(a+)+$', 50)!;
    const started = Date.now();
    expect(() => filter.select(['ok', `${'a'.repeat(40)}!`])).toThrow(
      expect.objectContaining({
        code: 'invalid_target',
        message: 'target.tagFilter /^(a+)+$/ took longer than 50 ms on 2 tags; simplify the pattern (nested quantifiers backtrack)',
      }),
    );
    expect(Date.now() - started).toBeLessThan(1000);
    // The filter stays usable for well-behaved pages.
    expect(filter.select(['aaa', 'b'])).toEqual(['aaa']);
  });
});
