import { parseTokenResponse } from './authenticator';

describe('parseTokenResponse', () => {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));

  it('takes token or access_token with expires_in, defaulting to 60 s', () => {
    expect(parseTokenResponse(json({ token: 'a', expires_in: 300 }))).toEqual({ token: 'a', expiresIn: 300 });
    expect(parseTokenResponse(json({ access_token: 'b' }))).toEqual({ token: 'b', expiresIn: 60 });
    expect(parseTokenResponse(json({ token: '', access_token: 'c', expires_in: 0 }))).toEqual({ token: 'c', expiresIn: 60 });
  });

  it('returns undefined without a token', () => {
    expect(parseTokenResponse(json({}))).toBeUndefined();
    expect(parseTokenResponse(Buffer.from('not json'))).toBeUndefined();
    expect(parseTokenResponse(json(null))).toBeUndefined();
  });
});
