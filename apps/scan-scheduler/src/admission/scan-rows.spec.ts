import { ScanJobKind, ScanTrigger } from '@vulnscan/contracts';
import { imageIntakeLock } from './in-progress';
import { NEW_SCAN_SQL, newScanParams, SCAN_ROW_DEFAULTS } from './scan-rows';

describe('admission: new scan rows', () => {
  const base = {
    ...SCAN_ROW_DEFAULTS,
    tenantId: 't1',
    imageId: 'i1',
    image: 'docker.io/library/alpine:latest',
    registry: 'docker.io',
    trigger: ScanTrigger.Api,
  };

  it('defaults to a plain scan asked for by nobody in particular', () => {
    expect(SCAN_ROW_DEFAULTS).toEqual({
      kind: ScanJobKind.Scan,
      forceRescan: false,
      idempotencyKey: null,
      requestedBy: null,
      requestId: null,
      requestedPlatform: null,
      viaCache: false,
      batchId: null,
      manifestDigest: null,
    });
  });

  it('passes the drafts column by column, platforms as JSON text, and the deadline in seconds last', () => {
    let n = 0;
    const params = newScanParams(
      [
        { ...base, requestedPlatform: { os: 'linux', architecture: 'arm64' }, viaCache: true, requestedBy: 'key-1' },
        { ...base, imageId: 'i2', image: 'docker.io/library/nginx:latest', kind: ScanJobKind.Rematch, manifestDigest: 'sha256:ab' },
      ],
      1800,
      () => `id-${++n}`,
    );
    expect(params).toEqual([
      ['id-1', 'id-2'],
      ['t1', 't1'],
      ['i1', 'i2'],
      ['docker.io/library/alpine:latest', 'docker.io/library/nginx:latest'],
      ['docker.io', 'docker.io'],
      ['scan', 'rematch'],
      ['api', 'api'],
      [false, false],
      [null, null],
      ['key-1', null],
      [null, null],
      ['{"os":"linux","architecture":"arm64"}', null],
      [true, false],
      [null, null],
      [null, 'sha256:ab'],
      1800,
    ]);
  });

  it('has one placeholder per parameter, new scans queued at attempt 0 with the deadline from now', () => {
    const placeholders = new Set(NEW_SCAN_SQL.match(/\$\d+/g));
    expect(placeholders.size).toBe(newScanParams([base], 60).length);
    expect(NEW_SCAN_SQL).toContain(
      `SELECT c.*, c.request_id IS NOT NULL, 'queued', 0, 0, now(), now(), now() + make_interval(secs => $16), now()`,
    );
  });

  it('locks one image of one tenant by its normalized reference', () => {
    expect(imageIntakeLock('t1', 'docker.io/library/alpine:latest')).toBe('scan-intake|t1|docker.io/library/alpine:latest');
  });
});
