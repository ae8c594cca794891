import { loadConfig } from '@vulnscan/config';
import { WorkerEnv } from '../env';
import { OperatorRegistries } from './operator-registries';

const registriesOf = (env: Record<string, string>) => new OperatorRegistries(loadConfig(WorkerEnv, env));

describe('operator registry configuration, per tenant', () => {
  it('serves a private host named without tenants to the bootstrap tenant only', async () => {
    const registries = registriesOf({ REGISTRY_ALLOWED_HOSTS: '127.0.0.1:5000' });
    await expect(registries.policyFor('default').check('127.0.0.1:5000')).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
    await expect(registries.policyFor('team-a').check('127.0.0.1:5000')).rejects.toThrow(/loopback|private/);
  });

  it('serves the tenants an entry names, or every tenant with @*', async () => {
    const registries = registriesOf({
      REGISTRY_ALLOWED_HOSTS: '127.0.0.1:5000@team-a|team-b,10.0.0.0/8@*',
      INSECURE_REGISTRIES: '127.0.0.1:5000@team-a,127.0.0.1:5001',
    });
    await expect(registries.policyFor('team-b').check('127.0.0.1:5000')).resolves.toHaveLength(1);
    await expect(registries.policyFor('team-c').check('127.0.0.1:5000')).rejects.toThrow();
    await expect(registries.policyFor('team-c').check('10.1.2.3:443')).resolves.toHaveLength(1);
    expect(registries.insecureFor('team-a')).toEqual(['127.0.0.1:5000']);
    expect(registries.insecureFor('default')).toEqual(['127.0.0.1:5001']);
    expect(registries.insecureFor('team-b')).toEqual([]);
  });

  it("gives the operator's credentials only to the tenants they name", () => {
    const registries = registriesOf({
      REGISTRY_CREDENTIALS: JSON.stringify({
        'registry.example.com': { username: 'ops', password: 'p1' },
        'mirror.example.com': { username: 'ci', password: 'p2', tenants: ['team-a'] },
        'public.example.com': { username: 'any', password: 'p3', tenants: ['*'] },
      }),
    });
    expect(registries.credentialFor('default', 'registry.example.com')).toMatchObject({ username: 'ops' });
    expect(registries.credentialFor('team-a', 'registry.example.com')).toBeUndefined();
    expect(registries.credentialFor('team-a', 'mirror.example.com')).toMatchObject({ username: 'ci' });
    expect(registries.credentialFor('default', 'mirror.example.com')).toBeUndefined();
    expect(registries.credentialFor('team-z', 'public.example.com')).toMatchObject({ username: 'any' });
  });

  it.each([
    ['REGISTRY_ALLOWED_HOSTS', '127.0.0.1:5000@Team A', /REGISTRY_ALLOWED_HOSTS: .*"Team A" is not a tenant id/],
    ['INSECURE_REGISTRIES', '@team-a', /INSECURE_REGISTRIES: "@team-a" names no entry/],
    [
      'REGISTRY_CREDENTIALS',
      '{"r.example.com": {"username": "u", "password": "p", "tenants": "team-a"}}',
      /REGISTRY_CREDENTIALS: r\.example\.com: tenants must be a list/,
    ],
    [
      'REGISTRY_CREDENTIALS',
      '{"r.example.com": {"username": "u"}}',
      /REGISTRY_CREDENTIALS: r\.example\.com: needs a string username and password/,
    ],
    ['REGISTRY_CREDENTIALS', '{not json', /REGISTRY_CREDENTIALS: must be JSON/],
  ])('refuses a bad %s at start, naming it', (name, value, message) => {
    expect(() => loadConfig(WorkerEnv, { [name]: value })).toThrow(message);
  });

  it('never prints the credentials in the error', () => {
    const value = JSON.stringify({ 'r.example.com': { username: 'u', password: 'hunter2-sealed', tenants: 'team-a' } });
    expect(() => loadConfig(WorkerEnv, { REGISTRY_CREDENTIALS: value })).toThrow(/value withheld/);
    expect(() => loadConfig(WorkerEnv, { REGISTRY_CREDENTIALS: value })).not.toThrow(/hunter2/);
  });
});
