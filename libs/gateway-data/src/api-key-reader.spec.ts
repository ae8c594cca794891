import { apiKeyHash } from './api-key-reader';

describe('apiKeyHash', () => {
  it('is the lowercase hex sha256 of the secret, the form stored in gateway.api_keys.key_hash', () => {
    expect(apiKeyHash('vsk_example')).toBe('067c4c453faf3b67293862bee33db70329fe0967652ce1ace09b99f2b24a5f6d');
  });
});
