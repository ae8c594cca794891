/**
 * The scan-latency part of the proxy-cache benchmark: the whole platform (gateway, scan-scheduler,
 * scanner-worker reading from the cache, security-status, blob-cache-worker) in front of an
 * upstream that holds blob downloads (test/support/gated-upstream.ts). Per sample: the manifest is
 * pulled through the cache, its first scan fails with layers_unavailable, the blobs are let
 * through, and the time from the last blob's placement to a completed scan is read from the
 * services' own tables (one Postgres clock), phase by phase.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fixturesDir, TestRegistry } from '@vulnscan/testing';
import { Api, waitForFeeds } from '../test/support/api';
import { GatedUpstream, startGatedUpstream } from '../test/support/gated-upstream';
import { ServiceProcess, TestPlatform, waitFor } from '../test/support/platform';
import { log } from './vulndb-report';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface ScanPlatform {
  platform: TestPlatform;
  gate: GatedUpstream;
  cache: ServiceProcess;
  api: Api;
  stop(): Promise<void>;
}

/** Milliseconds from the last blob's placement to each step; `phases_ms` the steps' own durations. */
export interface ScanSample {
  image: string;
  manifest_digest: string;
  blobs: number;
  compressed_bytes: number;
  first_scan: string;
  /** last placement → scheduler's scan completed_at */
  to_scan_completed_ms: number;
  /** last placement → the security status row turned completed (what GET …/security shows) */
  to_status_completed_ms: number;
  /** last placement → the poll of GET …/security that first saw completed (50 ms polls; clock of this process) */
  observed_by_api_ms: number;
  phases_ms: Record<string, number>;
  packages?: number;
  findings?: number;
}

/** The platform with the Debian OVAL fixture imported (this machine's dpkg database matches it). */
export async function startScanPlatform(upstream: TestRegistry): Promise<ScanPlatform> {
  const gate = await startGatedUpstream(upstream.url);
  const storage = mkdtempSync(join(tmpdir(), 'bench-status-cache-'));
  const platform = new TestPlatform({ INSECURE_REGISTRIES: gate.host, LOG_LEVEL: 'warn' });
  try {
    const cache = await platform.start('blob-cache-worker', {
      CACHE_ANONYMOUS_PULLS: 'true',
      CACHE_UPSTREAMS: `${gate.host}=${gate.url}`,
      CACHE_STORAGE_DIR: storage,
    });
    await platform.start('scan-scheduler');
    const api = new Api((await platform.start('gateway')).url);
    await platform.start('scanner-worker', {
      CACHE_URL: cache.url,
      VULNDB_SOURCES: `debian-oval=${join(fixturesDir(), 'feeds', 'debian-oval', 'oval-definitions-bookworm.xml.bz2')}`,
      VULNDB_SYNC_INTERVAL_MINUTES: '0',
    });
    await platform.start('security-status');
    await waitForFeeds(api, 1);
    return {
      platform,
      gate,
      cache,
      api,
      async stop() {
        await platform.stop();
        await gate.close();
        rmSync(storage, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await platform.stop();
    await gate.close();
    rmSync(storage, { recursive: true, force: true });
    throw error;
  }
}

interface SecurityView {
  status: string;
  reason: string | null;
}

/** One sample: repository:tag (already upstream) pulled through the cache, its scan measured. */
export async function scanSample(env: ScanPlatform, repository: string, tag: string, compressedBytes: number): Promise<ScanSample> {
  const { platform, gate, cache, api } = env;
  const response = await fetch(`${cache.url}/v2/${repository}/manifests/${tag}`, { headers: { Accept: OCI_MANIFEST } });
  if (response.status !== 200) throw new Error(`manifest pull through the cache: ${response.status} ${await response.text()}`);
  const manifest = (await response.json()) as { config: { digest: string }; layers: { digest: string }[] };
  const blobs = [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)];
  const digest = response.headers.get('docker-content-digest') ?? '';
  const path = `/api/v1/manifests/${digest}/security?repository=${encodeURIComponent(`${gate.host}/${repository}`)}`;
  const statusIs = (wanted: string, timeoutMs: number, intervalMs: number) =>
    waitFor(
      async () => {
        const answer = await api.get<SecurityView>(path);
        return answer.status === 200 && answer.body.status === wanted ? answer.body : undefined;
      },
      { timeoutMs, intervalMs, what: `${repository}@${digest} to be ${wanted}` },
    );

  const first = await statusIs('unsupported', 120000, 50);
  if (first.reason !== 'layers_unavailable') throw new Error(`first scan of ${repository}: unsupported with ${first.reason}`);
  for (const blob of blobs) gate.release(blob);
  await statusIs('completed', 600000, 50);
  const observedAt = Date.now();
  return { ...(await phases(platform, gate.host, repository, digest, observedAt)), blobs: blobs.length, compressed_bytes: compressedBytes };
}

type Stamp = Date | null;

async function phases(platform: TestPlatform, upstream: string, repository: string, digest: string, observedAt: number) {
  const image = `${upstream}/${repository}@${digest}`;
  const [row] = await platform.query<Record<string, Stamp | string | number | null>>(
    `WITH m AS (SELECT id FROM cache.cached_manifests WHERE upstream = $1 AND repository = $2 AND digest = $3),
          complete AS (SELECT id, created_at, published_at FROM cache.outbox
                       WHERE type = 'manifest.complete.v1' AND envelope->'payload'->>'repository' = $2 AND envelope->'payload'->>'digest' = $3),
          requested AS (SELECT id, created_at, published_at, (envelope->'payload'->>'requestId')::uuid AS request_id FROM status.outbox
                        WHERE type = 'scan.requested.v1' AND envelope->'payload'->>'image' = $4 AND envelope->'payload'->>'trigger' = 'manifest_complete'),
          scan AS (SELECT s.* FROM scheduler.scans s JOIN requested r ON s.request_id = r.request_id),
          first AS (SELECT status, error_code FROM scheduler.scans WHERE image = $4 AND trigger = 'manifest_cached' ORDER BY created_at LIMIT 1),
          attempts AS (SELECT type, envelope->'payload'->>'stage' AS stage, created_at, envelope->'payload'->'report' AS report FROM worker.outbox
                       WHERE envelope->'payload'->>'scanId' = (SELECT id::text FROM scan) AND type LIKE 'scan.attempt.%')
     SELECT
       (SELECT max(b.placed_at) FROM m JOIN cache.manifest_blobs mb ON mb.manifest_id = m.id JOIN cache.cached_blobs b ON b.digest = mb.digest) AS last_placed,
       (SELECT created_at FROM complete) AS complete_committed,
       (SELECT published_at FROM complete) AS complete_published,
       (SELECT min(i.received_at) FROM status.inbox i JOIN complete c ON i.message_id = c.id) AS complete_received,
       (SELECT created_at FROM requested) AS scan_requested,
       (SELECT min(i.received_at) FROM scheduler.inbox i JOIN requested r ON i.message_id = r.id) AS request_received,
       (SELECT created_at FROM scan) AS scan_created,
       (SELECT dispatched_at FROM scan) AS scan_dispatched,
       (SELECT created_at FROM attempts WHERE type = 'scan.attempt.started.v1') AS worker_started,
       (SELECT min(created_at) FROM attempts WHERE stage = 'resolved') AS worker_resolved,
       (SELECT min(created_at) FROM attempts WHERE stage = 'matching') AS worker_matching,
       (SELECT created_at FROM attempts WHERE type = 'scan.attempt.succeeded.v1') AS worker_succeeded,
       (SELECT (report->>'findings')::int FROM attempts WHERE type = 'scan.attempt.succeeded.v1') AS findings,
       (SELECT completed_at FROM scan) AS scan_completed,
       (SELECT updated_at FROM status.manifest_security_status WHERE upstream = $1 AND repository = $2 AND manifest_digest = $3 AND status = 'completed') AS status_completed,
       (SELECT package_count FROM worker.sboms WHERE manifest_digest = $3 LIMIT 1) AS packages,
       (SELECT status || '/' || coalesce(error_code, '') FROM first) AS first_scan`,
    [upstream, repository, digest, image],
  );
  const at = (name: string): number => {
    const value = row?.[name];
    if (!(value instanceof Date)) throw new Error(`${image}: no ${name} recorded`);
    return value.getTime();
  };
  const start = at('last_placed');
  // Consecutive steps, each from the previous one's timestamp.
  const steps = [
    ['placement → ManifestComplete committed (cache: BlobDownloaded consumed, completion check)', 'complete_committed'],
    ['ManifestComplete relayed to the broker', 'complete_published'],
    ['ManifestComplete received by security-status', 'complete_received'],
    ['ScanRequested committed (security-status)', 'scan_requested'],
    ['ScanRequested received by the scheduler', 'request_received'],
    ['scan created (scheduler)', 'scan_created'],
    ['scan dispatched (scheduler)', 'scan_dispatched'],
    ['worker started the attempt', 'worker_started'],
    ['worker resolved the manifest from the cache', 'worker_resolved'],
    ['worker read and analyzed the layers (SBOM stored)', 'worker_matching'],
    ['worker matched and stored the report', 'worker_succeeded'],
    ['scan completed (scheduler)', 'scan_completed'],
    ['security status completed (security-status)', 'status_completed'],
  ] as const;
  const phasesMs: Record<string, number> = {};
  let previous = start;
  for (const [label, column] of steps) {
    const value = row?.[column];
    if (!(value instanceof Date)) continue; // e.g. a progress event the worker skipped
    phasesMs[label] = value.getTime() - previous;
    previous = value.getTime();
  }
  const sample = {
    image,
    manifest_digest: digest,
    first_scan: String(row?.['first_scan'] ?? ''),
    to_scan_completed_ms: at('scan_completed') - start,
    to_status_completed_ms: at('status_completed') - start,
    observed_by_api_ms: observedAt - start,
    phases_ms: phasesMs,
    packages: row?.['packages'] === null ? undefined : Number(row?.['packages']),
    findings: row?.['findings'] === null ? undefined : Number(row?.['findings']),
  };
  log({
    sample: repository,
    to_status_completed_ms: sample.to_status_completed_ms,
    to_scan_completed_ms: sample.to_scan_completed_ms,
    phases_ms: phasesMs,
  });
  return sample;
}
