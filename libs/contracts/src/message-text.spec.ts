import { hasUnstorableCharacters, MESSAGE_TEXT_MAX, messageText } from './message-text';

describe('messageText', () => {
  it('leaves ordinary text alone, pairs (emoji) included', () => {
    expect(messageText('registry said no 🙅')).toBe('registry said no 🙅');
  });

  it('removes NUL and lone surrogates, which Postgres jsonb refuses', () => {
    expect(messageText('a\u0000b\uD800c\uDC00d')).toBe('abcd');
    expect(hasUnstorableCharacters('a\u0000b')).toBe(true);
    expect(hasUnstorableCharacters('x\uDBFF')).toBe(true);
    expect(hasUnstorableCharacters('\uDC00x')).toBe(true);
    expect(hasUnstorableCharacters('🙅 fine')).toBe(false);
  });

  it('cuts to the limit with an ellipsis, never splitting a surrogate pair', () => {
    const long = 'x'.repeat(10_000);
    expect(messageText(long)).toHaveLength(MESSAGE_TEXT_MAX);
    expect(messageText(long).endsWith('x…')).toBe(true);
    // a pair straddling the cut: its high half goes with it
    const straddling = `${'x'.repeat(8)}🙅${'y'.repeat(10)}`;
    expect(messageText(straddling, 10)).toBe(`${'x'.repeat(8)}…`);
    expect(hasUnstorableCharacters(messageText(straddling, 10))).toBe(false);
    expect(messageText(`${'x'.repeat(7)}🙅${'y'.repeat(10)}`, 10)).toBe(`${'x'.repeat(7)}🙅…`);
  });
});
