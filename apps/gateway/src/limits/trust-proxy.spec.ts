import { clientAddress, parseTrustProxy } from './trust-proxy';

describe('parseTrustProxy', () => {
  it.each([
    ['', false],
    ['false', false],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.7,fd00::/8, uniquelocal', ['10.0.0.0/8', '192.168.1.7', 'fd00::/8', 'uniquelocal']],
  ])('reads %j as %j', (value, expected) => {
    expect(parseTrustProxy(value)).toEqual(expected);
  });

  it.each([
    ['true', /would believe any X-Forwarded-For/],
    ['0', /hop count must be 1 to 10/],
    ['11', /hop count must be 1 to 10/],
    ['10.0.0.0/33', /"10.0.0.0\/33" is not an address/],
    ['proxy.internal', /"proxy.internal" is not an address/],
    ['10.0.0.1/8/1', /is not an address/],
  ])('refuses %j', (value, message) => {
    expect(() => parseTrustProxy(value)).toThrow(message);
  });
});

describe('clientAddress', () => {
  it('is request.ip, an IPv4-mapped address as plain IPv4', () => {
    expect(clientAddress({ ip: '::ffff:127.0.0.1' })).toBe('127.0.0.1');
    expect(clientAddress({ ip: '2001:db8::1' })).toBe('2001:db8::1');
    expect(clientAddress({ socket: { remoteAddress: '10.1.2.3' } })).toBe('10.1.2.3');
  });
});
