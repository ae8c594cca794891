import { webhookUrlProblem } from '@vulnscan/contracts';
import { HostResolver, OutboundHostPolicy } from '@vulnscan/outbound-http';
import { checkWebhookUrl } from './webhook-url';

const dns: Record<string, string[]> = {
  'hooks.example.com': ['93.184.216.34'],
  'internal.example.com': ['10.1.2.3'],
  'sneaky.example.com': ['93.184.216.34', '169.254.169.254'],
  'receiver.internal': ['10.9.9.9'],
};
const resolver: HostResolver = async (host) => {
  const addresses = dns[host];
  if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const policy = (allowedHosts: string[] = []) => new OutboundHostPolicy({ allowedHosts, insecureRegistries: [] }, resolver);

describe('webhook URL validation', () => {
  it.each([
    ['not a url', /absolute http\(s\) URL/],
    ['/relative/path', /absolute http\(s\) URL/],
    ['ftp://hooks.example.com/x', /http or https, not ftp/],
    ['file:///etc/passwd', /http or https, not file/],
    ['javascript:alert(1)', /http or https/],
    ['https://user:pw@hooks.example.com/x', /credentials/],
    ['https://token@hooks.example.com/x', /credentials/],
    ['https://hooks.example.com/x#frag', /fragment/],
    [`https://hooks.example.com/${'a'.repeat(2100)}`, /at most 2048/],
    ['', /absolute/],
  ])('refuses %s on its face', async (url, message) => {
    expect(webhookUrlProblem(url)).toMatch(message);
    await expect(checkWebhookUrl(url, policy())).rejects.toMatchObject({
      code: 'invalid_webhook_url',
      message: expect.stringMatching(/^url /),
    });
  });

  it('accepts public http(s) URLs and returns the addresses to connect to', async () => {
    const checked = await checkWebhookUrl('https://hooks.example.com/vulnscan?team=a', policy());
    expect(checked.url.href).toBe('https://hooks.example.com/vulnscan?team=a');
    expect(checked.addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(checkWebhookUrl('http://hooks.example.com:8080/', policy())).resolves.toBeDefined();
  });

  it('refuses metadata and link-local addresses, even when listed, and hosts resolving to them', async () => {
    await expect(checkWebhookUrl('http://169.254.169.254/latest/meta-data', policy(['169.254.169.254']))).rejects.toMatchObject({
      code: 'host_not_allowed',
      message: expect.stringMatching(/^url: .*always denied/),
    });
    await expect(checkWebhookUrl('https://sneaky.example.com/', policy())).rejects.toMatchObject({ code: 'host_not_allowed' });
  });

  it('allows private and loopback hosts only when WEBHOOK_ALLOWED_HOSTS lists them', async () => {
    for (const url of ['http://127.0.0.1:9000/hook', 'http://localhost:9000/', 'https://internal.example.com/', 'http://[::1]:9000/']) {
      await expect(checkWebhookUrl(url, policy())).rejects.toMatchObject({
        code: 'host_not_allowed',
        message: expect.stringContaining('WEBHOOK_ALLOWED_HOSTS'),
      });
    }
    await expect(checkWebhookUrl('http://127.0.0.1:9000/hook', policy(['127.0.0.1']))).resolves.toBeDefined();
    await expect(checkWebhookUrl('https://internal.example.com/', policy(['10.0.0.0/8']))).resolves.toBeDefined();
    // A host:port entry matches the scheme's default port when the URL names none.
    await expect(checkWebhookUrl('https://receiver.internal/x', policy(['receiver.internal:443']))).resolves.toBeDefined();
    await expect(checkWebhookUrl('http://receiver.internal/x', policy(['receiver.internal:443']))).rejects.toMatchObject({
      code: 'host_not_allowed',
    });
  });

  it('reports a host that does not resolve', async () => {
    await expect(checkWebhookUrl('https://nowhere.invalid/', policy())).rejects.toMatchObject({
      code: 'host_unresolvable',
      message: expect.stringMatching(/^url: cannot resolve/),
    });
  });
});
