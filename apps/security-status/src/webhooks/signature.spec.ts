import { createHmac } from 'node:crypto';
import { WebhookEvent } from '@vulnscan/contracts';
import { deliveryHeaders, generateSecret, signDelivery } from './signature';

describe('webhook signatures', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256: a known vector', () => {
    // openssl: printf '%s' '1700000000.{"event":"scan.completed"}' | openssl dgst -sha256 -hmac 'It8pQ4s1nE5cR3tK3y-0123456789'
    expect(signDelivery('It8pQ4s1nE5cR3tK3y-0123456789', '1700000000', '{"event":"scan.completed"}')).toBe(
      'sha256=30255a4a46a123e10718107f007ba50e118f8110cd1c77d6258ecc771956ca3f',
    );
  });

  it('changes with the timestamp, the body and the secret', () => {
    const base = signDelivery('secret-0123456789', '1', 'body');
    expect(signDelivery('secret-0123456789', '2', 'body')).not.toBe(base);
    expect(signDelivery('secret-0123456789', '1', 'body!')).not.toBe(base);
    expect(signDelivery('secret-01234567890', '1', 'body')).not.toBe(base);
  });

  it('puts event, delivery id, attempt, timestamp and a verifiable signature in the headers', () => {
    const body = '{"a":1}';
    const headers = deliveryHeaders({
      secret: 's3cret-s3cret-s3cret',
      event: WebhookEvent.ScanCompleted,
      deliveryId: 'd-1',
      attempt: 2,
      body,
      timestamp: 1700000123,
    });
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'X-Vulnscan-Event': 'scan.completed',
      'X-Vulnscan-Delivery': 'd-1',
      'X-Vulnscan-Attempt': '2',
      'X-Vulnscan-Timestamp': '1700000123',
    });
    const expected = createHmac('sha256', 's3cret-s3cret-s3cret').update(`1700000123.${body}`).digest('hex');
    expect(headers['X-Vulnscan-Signature']).toBe(`sha256=${expected}`);
  });

  it('generates long random secrets', () => {
    const [a, b] = [generateSecret(), generateSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
});
