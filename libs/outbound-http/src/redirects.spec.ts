import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { followRedirects, RedirectableResponse } from './redirects';

const answer = (status: number, location?: string): RedirectableResponse => ({
  status,
  headers: (location ? { location } : {}) as IncomingHttpHeaders,
  body: Readable.from([]) as unknown as IncomingMessage,
});

/** A fake origin: each URL answers what the map says; records every URL sent to. */
function origin(routes: Record<string, RedirectableResponse>) {
  const sent: string[] = [];
  const send = async (url: URL) => {
    sent.push(url.href);
    return routes[url.href] ?? answer(404);
  };
  return { sent, send };
}

const httpsOnly = (_from: URL, to: URL) => {
  if (to.protocol !== 'https:') throw new ScanError(ScanErrorCode.HostNotAllowed, `refusing ${to.href}`);
};

describe('followRedirects', () => {
  it('returns the first answer that is no redirect, sending every hop through send (each hop re-checked)', async () => {
    const { sent, send } = origin({
      'https://registry.example/v2/blob': answer(307, 'https://storage.example/blob?sig=1'),
      'https://storage.example/blob?sig=1': answer(302, '/final'),
      'https://storage.example/final': answer(200),
    });
    const response = await followRedirects(new URL('https://registry.example/v2/blob'), send, { maxRedirects: 5, checkHop: httpsOnly });
    expect(response.status).toBe(200);
    expect(sent).toEqual(['https://registry.example/v2/blob', 'https://storage.example/blob?sig=1', 'https://storage.example/final']);
  });

  it('returns a 3xx without Location as it is', async () => {
    const { send } = origin({ 'https://a.example/': answer(304) });
    expect((await followRedirects(new URL('https://a.example/'), send, { maxRedirects: 5, checkHop: httpsOnly })).status).toBe(304);
  });

  it('stops at a hop the rules refuse, before sending to it', async () => {
    const { sent, send } = origin({ 'https://a.example/': answer(301, 'http://b.example/') });
    await expect(followRedirects(new URL('https://a.example/'), send, { maxRedirects: 5, checkHop: httpsOnly })).rejects.toMatchObject({
      code: ScanErrorCode.HostNotAllowed,
      message: 'refusing http://b.example/',
    });
    expect(sent).toEqual(['https://a.example/']);
  });

  it('gives up after maxRedirects hops as unreachable', async () => {
    const { sent, send } = origin({ 'https://loop.example/': answer(302, 'https://loop.example/') });
    await expect(followRedirects(new URL('https://loop.example/'), send, { maxRedirects: 2, checkHop: httpsOnly })).rejects.toMatchObject({
      code: ScanErrorCode.Unreachable,
      message: 'more than 2 redirects starting at loop.example',
    });
    expect(sent).toHaveLength(3);
  });

  it('with maxRedirects 0 follows none', async () => {
    const { sent, send } = origin({ 'https://a.example/': answer(302, 'https://b.example/') });
    await expect(followRedirects(new URL('https://a.example/'), send, { maxRedirects: 0, checkHop: httpsOnly })).rejects.toBeInstanceOf(
      ScanError,
    );
    expect(sent).toEqual(['https://a.example/']);
  });
});
