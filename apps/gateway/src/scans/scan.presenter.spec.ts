import { ScanErrorCode, ScanJobKind, ScanTrigger } from '@vulnscan/contracts';
import { ScanAttemptRow, ScanRow, ScanStatus } from '@vulnscan/scan-data';
import { presentScan } from './scan.presenter';

const scan = (changes: Partial<ScanRow>): ScanRow => ({
  id: 's1',
  tenantId: 't1',
  imageId: 'i1',
  image: 'docker.io/library/alpine:3.10',
  status: ScanStatus.Completed,
  kind: ScanJobKind.Scan,
  trigger: ScanTrigger.Api,
  progress: 100,
  idempotencyKey: 'k-1',
  requestedPlatform: null,
  attempt: 2,
  createdAt: new Date('2026-12-07T10:00:00Z'),
  startedAt: new Date('2026-12-07T10:00:02Z'),
  completedAt: new Date('2026-12-07T10:00:09Z'),
  manifestDigest: 'sha256:aa',
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  platform: { os: 'linux', architecture: 'amd64' },
  layers: [{ digest: 'sha256:l1', size: 42, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
  errorCode: null,
  errorMessage: null,
  ...changes,
});

describe('scan presenter', () => {
  it('shows a scan in snake_case with ISO times, layers and the attempt count', () => {
    expect(presentScan(scan({}))).toEqual({
      scan_id: 's1',
      image: 'docker.io/library/alpine:3.10',
      status: 'completed',
      progress: 100,
      trigger: 'api',
      created_at: '2026-12-07T10:00:00.000Z',
      started_at: '2026-12-07T10:00:02.000Z',
      completed_at: '2026-12-07T10:00:09.000Z',
      manifest_digest: 'sha256:aa',
      media_type: 'application/vnd.oci.image.manifest.v1+json',
      platform: { os: 'linux', architecture: 'amd64' },
      requested_platform: null,
      layers: [{ digest: 'sha256:l1', size: 42, media_type: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
      attempts: 2,
      idempotency_key: 'k-1',
      error: null,
    });
  });

  it('shows the error of a failed scan only, and no layers before they are known', () => {
    const failed = presentScan(
      scan({ status: ScanStatus.Failed, layers: null, errorCode: ScanErrorCode.NotFound, errorMessage: 'no such tag', completedAt: null }),
    );
    expect(failed).toMatchObject({ layers: [], completed_at: null, error: { code: 'not_found', message: 'no such tag' } });
    // a queued scan keeps the last attempt's error for the history, not as its own
    expect(presentScan(scan({ status: ScanStatus.Queued, errorCode: ScanErrorCode.RateLimited, errorMessage: '429' })).error).toBeNull();
  });

  it('adds the attempt history when it is asked for', () => {
    const attempt: ScanAttemptRow = {
      scanId: 's1',
      attempt: 1,
      status: 'failed',
      workerId: 'w1',
      dispatchedAt: new Date('2026-12-07T10:00:01Z'),
      startedAt: null,
      finishedAt: new Date('2026-12-07T10:00:03Z'),
      errorCode: 'rate_limited',
      errorMessage: 'slow down',
    };
    expect(presentScan(scan({}), [attempt]).attempt_history).toEqual([
      {
        attempt: 1,
        status: 'failed',
        worker_id: 'w1',
        dispatched_at: '2026-12-07T10:00:01.000Z',
        started_at: null,
        finished_at: '2026-12-07T10:00:03.000Z',
        error: { code: 'rate_limited', message: 'slow down' },
      },
    ]);
    expect(presentScan(scan({})).attempt_history).toBeUndefined();
  });
});
