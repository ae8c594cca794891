import type { RegistryRoute } from '../../apps/blob-cache-worker/src/distribution/request-path';

/**
 * The tenancy table: for every route of the API, how tenant B's keys try to reach tenant A's
 * resources through it, and what must happen. test/e2e/tenancy.int-spec.ts walks the OpenAPI
 * document and fails for a route without an entry here (and for an entry of no route), so every
 * new route has to say how it keeps tenants apart.
 */

/** What tenant A owns, by id, once the suite has made one of each. */
export interface TenantAResources {
  scanIds: [string, string];
  image: string;
  manifestDigest: string;
  layerDigest: string;
  repository: string;
  upstreamRegistry: string;
  scheduleId: string;
  batchId: string;
  credentialId: string;
  webhookId: string;
  upstreamId: string;
  keyId: string;
}

export type Probe =
  /** Acts on one of A's resources: B gets 403 or 404, and A's data stays as it was. */
  | { kind: 'foreign'; path: string; body?: unknown }
  /** B's own list or view: 200 (or 403/404 for a key without the scope) that names none of A's ids. */
  | { kind: 'list'; path: string }
  /** Creates something in B's own tenant from a body that names A's resources: refused, or created empty-handed for B. */
  | { kind: 'own'; path: string; body: unknown; check: 'refused' | 'no-foreign-ids' }
  /**
   * B's own audit log: every entry is B's. It records what B asked for, so A's ids appear only as
   * the targets of B's own refused requests (the ids B sent), never in an entry that succeeded.
   */
  | { kind: 'own-log'; path: string }
  /** Crosses tenants: the operator's alone, 403 for every tenant key. */
  | { kind: 'operator'; path: string; body?: unknown }
  /** Answers without a key and holds no tenant's data. */
  | { kind: 'public'; path: string };

/** `METHOD /openapi/path` → the probes B makes through it. */
export type TenancyTable = Record<string, Probe[]>;

const uuid = '01939b8e-1c2d-7e3f-8a4b-5c6d7e8f9a0b';

export function tenancyTable(a: TenantAResources): TenancyTable {
  const reference = encodeURIComponent(a.image);
  const [first, second] = a.scanIds;
  return {
    'GET /api/v1/health': [{ kind: 'public', path: '/api/v1/health' }],
    'GET /api/v1/vulndb': [{ kind: 'list', path: '/api/v1/vulndb' }],
    'GET /api/v1/scheduler/status': [{ kind: 'list', path: '/api/v1/scheduler/status' }],

    'POST /api/v1/scans': [{ kind: 'own', path: '/api/v1/scans', body: { image: a.image }, check: 'no-foreign-ids' }],
    'GET /api/v1/scans': [
      { kind: 'list', path: '/api/v1/scans?limit=500' },
      { kind: 'list', path: `/api/v1/scans?image=${reference}` },
    ],
    'GET /api/v1/scans/{id}': [{ kind: 'foreign', path: `/api/v1/scans/${first}` }],
    'DELETE /api/v1/scans/{id}': [{ kind: 'foreign', path: `/api/v1/scans/${first}` }],
    'GET /api/v1/scans/{id}/report': [{ kind: 'foreign', path: `/api/v1/scans/${first}/report` }],
    'GET /api/v1/scans/{id}/sbom': [
      { kind: 'foreign', path: `/api/v1/scans/${first}/sbom` },
      { kind: 'foreign', path: `/api/v1/scans/${first}/sbom?format=spdx` },
    ],
    'POST /api/v1/scans/bulk': [
      { kind: 'own', path: '/api/v1/scans/bulk', body: { filter: { repository: a.repository } }, check: 'no-foreign-ids' },
    ],
    'GET /api/v1/images/{reference}/scans': [{ kind: 'list', path: `/api/v1/images/${reference}/scans` }],
    'GET /api/v1/images/{reference}/diff': [{ kind: 'foreign', path: `/api/v1/images/${reference}/diff?from=${first}&to=${second}` }],

    'GET /api/v1/batches/{id}': [{ kind: 'foreign', path: `/api/v1/batches/${a.batchId}` }],
    'POST /api/v1/batches/{id}/cancel': [{ kind: 'foreign', path: `/api/v1/batches/${a.batchId}/cancel` }],

    'POST /api/v1/schedules': [
      { kind: 'own', path: '/api/v1/schedules', body: { name: 'probe', image: a.image, enabled: false }, check: 'no-foreign-ids' },
    ],
    'GET /api/v1/schedules': [{ kind: 'list', path: '/api/v1/schedules' }],
    'GET /api/v1/schedules/{id}': [{ kind: 'foreign', path: `/api/v1/schedules/${a.scheduleId}` }],
    'PATCH /api/v1/schedules/{id}': [{ kind: 'foreign', path: `/api/v1/schedules/${a.scheduleId}`, body: { enabled: true } }],
    'DELETE /api/v1/schedules/{id}': [{ kind: 'foreign', path: `/api/v1/schedules/${a.scheduleId}` }],
    'POST /api/v1/schedules/{id}/trigger': [{ kind: 'foreign', path: `/api/v1/schedules/${a.scheduleId}/trigger` }],

    'POST /api/v1/registries': [
      // B's own credential for the same host is B's: it never replaces or reveals A's
      {
        kind: 'own',
        path: '/api/v1/registries',
        body: { registry: 'b-only.invalid', username: 'u', password: 'p' },
        check: 'no-foreign-ids',
      },
    ],
    'GET /api/v1/registries': [{ kind: 'list', path: '/api/v1/registries' }],
    'DELETE /api/v1/registries/{id}': [{ kind: 'foreign', path: `/api/v1/registries/${a.credentialId}` }],

    'POST /api/v1/upstreams': [
      {
        kind: 'own',
        path: '/api/v1/upstreams',
        body: { registry: 'b-mirror.invalid', url: 'https://b-mirror.invalid' },
        check: 'no-foreign-ids',
      },
    ],
    'GET /api/v1/upstreams': [{ kind: 'list', path: '/api/v1/upstreams' }],
    'DELETE /api/v1/upstreams/{id}': [{ kind: 'foreign', path: `/api/v1/upstreams/${a.upstreamId}` }],

    'POST /api/v1/webhooks': [
      {
        kind: 'own',
        path: '/api/v1/webhooks',
        body: { url: 'https://hooks.invalid/b', events: ['scan.completed'] },
        check: 'no-foreign-ids',
      },
    ],
    'GET /api/v1/webhooks': [{ kind: 'list', path: '/api/v1/webhooks' }],
    'GET /api/v1/webhooks/{id}': [{ kind: 'foreign', path: `/api/v1/webhooks/${a.webhookId}` }],
    'DELETE /api/v1/webhooks/{id}': [{ kind: 'foreign', path: `/api/v1/webhooks/${a.webhookId}` }],
    'GET /api/v1/webhooks/{id}/deliveries': [{ kind: 'foreign', path: `/api/v1/webhooks/${a.webhookId}/deliveries` }],

    'GET /api/v1/manifests': [
      { kind: 'list', path: '/api/v1/manifests' },
      { kind: 'list', path: `/api/v1/manifests?repository=${encodeURIComponent(a.repository)}` },
    ],
    'GET /api/v1/manifests/{digest}/security': [{ kind: 'foreign', path: `/api/v1/manifests/${a.manifestDigest}/security` }],

    'POST /api/v1/api-keys': [
      { kind: 'own', path: '/api/v1/api-keys', body: { tenant_id: 'tenant-a', name: 'probe', scopes: ['admin'] }, check: 'refused' },
      { kind: 'own', path: '/api/v1/api-keys', body: { name: 'probe', scopes: ['platform:admin'] }, check: 'refused' },
    ],
    'GET /api/v1/api-keys': [
      { kind: 'list', path: '/api/v1/api-keys' },
      { kind: 'foreign', path: '/api/v1/api-keys?tenant_id=tenant-a' },
    ],
    'DELETE /api/v1/api-keys/{id}': [{ kind: 'foreign', path: `/api/v1/api-keys/${a.keyId}` }],
    'GET /api/v1/audit': [
      { kind: 'own-log', path: '/api/v1/audit?limit=500' },
      { kind: 'foreign', path: '/api/v1/audit?tenant_id=tenant-a' },
    ],

    'GET /api/v1/tenants': [{ kind: 'operator', path: '/api/v1/tenants' }],
    'POST /api/v1/tenants': [{ kind: 'operator', path: '/api/v1/tenants', body: { id: 'tenant-c', name: 'C' } }],
    'DELETE /api/v1/tenants/{id}': [{ kind: 'operator', path: '/api/v1/tenants/tenant-a' }],
    'GET /api/v1/admin/dead-letters': [{ kind: 'operator', path: '/api/v1/admin/dead-letters' }],
    'POST /api/v1/admin/dead-letters/{id}/replay': [{ kind: 'operator', path: `/api/v1/admin/dead-letters/${uuid}/replay` }],
    'POST /api/v1/vulndb/sync': [{ kind: 'operator', path: '/api/v1/vulndb/sync', body: {} }],
  };
}

/** The blob cache's /v2/ routes (no OpenAPI document): every kind of request path it parses, so a new kind fails the type check here. */
export type V2RouteKind = RegistryRoute['kind'];

/** `/v2/` probes with B's key: A's cached manifest and layer, by A's upstream and by digest alone. */
export function v2Probes(a: TenantAResources): Record<V2RouteKind, { path: string; expect: 'no-foreign-content' | 'refused' }[]> {
  const ns = `ns=${encodeURIComponent(a.upstreamRegistry)}`;
  return {
    base: [{ path: '/v2/', expect: 'no-foreign-content' }],
    manifest: [
      { path: `/v2/${a.repository}/manifests/${a.manifestDigest}?${ns}`, expect: 'refused' },
      { path: `/v2/${a.repository}/manifests/3.10?${ns}`, expect: 'refused' },
    ],
    blob: [
      { path: `/v2/${a.repository}/blobs/${a.layerDigest}?${ns}`, expect: 'refused' },
      { path: `/v2/${a.repository}/blobs/${a.layerDigest}`, expect: 'refused' },
    ],
  };
}
