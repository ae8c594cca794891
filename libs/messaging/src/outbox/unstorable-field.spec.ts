import { unstorableField } from './unstorable-field';

describe('unstorableField', () => {
  it('names the first string Postgres jsonb would refuse, by its path', () => {
    expect(unstorableField({ scanId: 's', error: { code: 'internal', message: 'a\u0000b' } })).toBe('payload.error.message');
    expect(unstorableField({ layers: [{ digest: 'ok' }, { digest: 'x\ud800' }] })).toBe('payload.layers[1].digest');
  });

  it('passes payloads without such characters, pairs (emoji) included', () => {
    expect(unstorableField({ scanId: 's', n: 1, ok: true, none: null, text: 'fine 🙅', list: ['a', 'b'] })).toBeUndefined();
  });
});
