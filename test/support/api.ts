import { ADMIN_KEY } from './platform';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny client for the gateway's REST API. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly key: string | null = ADMIN_KEY,
  ) {}

  withKey(key: string | null): Api {
    return new Api(this.baseUrl, key);
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, rawBody?: string): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    if (body !== undefined || rawBody !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (metrics, docs)
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = Record<string, unknown>>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body);
  }

  patch<T = Record<string, unknown>>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body);
  }

  delete<T = Record<string, unknown>>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

export interface ScanView {
  scan_id: string;
  image: string;
  status: string;
  progress: number;
  manifest_digest: string | null;
  platform: { os: string; architecture: string; variant?: string } | null;
  layers: { digest: string; size: number; media_type: string }[];
  attempts: number;
  error: { code: string; message: string } | null;
}

const TERMINAL = new Set(['completed', 'failed', 'canceled']);

export async function waitForScan(api: Api, scanId: string, timeoutMs = 60000): Promise<ScanView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await api.get<ScanView>(`/api/v1/scans/${scanId}`);
    if (status === 200 && TERMINAL.has(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`scan ${scanId} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the worker has imported `count` feeds at least once (GET /api/v1/vulndb). */
export async function waitForFeeds(api: Api, count: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api.get<{ feeds: { last_success_at: string | null }[] }>('/api/v1/vulndb');
    if (body.feeds.length === count && body.feeds.every((feed) => feed.last_success_at)) return;
    if (Date.now() > deadline) throw new Error(`the worker had not imported ${count} feeds after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
