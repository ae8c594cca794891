import { loadConfig } from '@vulnscan/config';
import { GatewayEnv } from '../env';
import { parseHealthTargets } from './health-targets';

describe('HEALTH_CHECK_URLS', () => {
  it('parses named readiness URLs, trimming blanks', () => {
    expect(
      parseHealthTargets(' blob-cache-worker=http://cache:5001/health/ready , security-status=https://status.internal/health/ready,'),
    ).toEqual([
      { name: 'blob-cache-worker', url: 'http://cache:5001/health/ready' },
      { name: 'security-status', url: 'https://status.internal/health/ready' },
    ]);
    expect(parseHealthTargets('none')).toEqual([]);
  });

  it.each([
    ['cache', 'entry "cache" must be <name>=<url> with a lowercase name'],
    ['Cache=http://cache:5001', 'entry "Cache=http://cache:5001" must be <name>=<url> with a lowercase name'],
    ['cache=not a url', 'the URL of cache ("not a url") is not a URL'],
    ['cache=ftp://cache/health', 'the URL of cache must be http(s)'],
    ['cache=http://user:secret@cache/health', 'the URL of cache must not carry credentials'],
    ['cache=http://a/,cache=http://b/', 'cache is listed twice'],
    [
      'scan-scheduler=http://scheduler:8081/health/ready',
      "scan-scheduler is judged from the scheduler's heartbeats and the database, not probed; leave it out",
    ],
    [',', 'list at least one <name>=<url>, or set it to none'],
  ])('refuses %j', (value, message) => {
    expect(() => parseHealthTargets(value)).toThrow(message);
  });

  it('defaults to the local blob cache and security status, and is validated at start-up', () => {
    const env = loadConfig(GatewayEnv, {});
    expect(parseHealthTargets(env.HEALTH_CHECK_URLS).map((target) => target.url)).toEqual([
      'http://127.0.0.1:5001/health/ready',
      'http://127.0.0.1:8083/health/ready',
    ]);
    expect(env).toMatchObject({ HEALTH_CHECK_TIMEOUT_MS: 1000, HEALTH_MAX_QUEUE_DEPTH: 1000, HEALTH_MAX_ERROR_RATE: 0.5 });
    expect(loadConfig(GatewayEnv, { HEALTH_MAX_ERROR_RATE: '0.25' }).HEALTH_MAX_ERROR_RATE).toBe(0.25);
    expect(() => loadConfig(GatewayEnv, { HEALTH_MAX_ERROR_RATE: 'half' })).toThrow(/HEALTH_MAX_ERROR_RATE/);
    expect(() => loadConfig(GatewayEnv, { HEALTH_MAX_ERROR_RATE: '1.5' })).toThrow(/HEALTH_MAX_ERROR_RATE/);
    expect(() => loadConfig(GatewayEnv, { HEALTH_CHECK_URLS: 'cache' })).toThrow(/HEALTH_CHECK_URLS: entry "cache" must be/);
  });
});
