import { parseRetryAfter } from './retry-after';

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(['30', '60'], now)).toBe(30);
  });

  it('reads an HTTP date relative to now, rounding up', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:00 GMT', now + 500)).toBe(0);
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter('Tue, 30 Apr 2024 12:00:00 GMT', now)).toBe(0);
  });

  it.each([undefined, '', '-5', '1.5', 'soon', 'Wed, 99 Foo 2024'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
