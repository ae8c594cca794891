import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { HostBreakers } from './breakers';

describe('HostBreakers', () => {
  const breakers = new HostBreakers({ errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 2 });
  afterAll(() => breakers.shutdown());
  const fail = (code: ScanErrorCode) => () => Promise.reject(new ScanError(code, code));

  it('is not tripped by errors that are the caller’s fault', async () => {
    for (const code of [ScanErrorCode.NotFound, ScanErrorCode.Unauthorized, ScanErrorCode.DigestMismatch, ScanErrorCode.NotFound]) {
      await expect(breakers.run('healthy.io', fail(code))).rejects.toMatchObject({ code });
    }
    await expect(breakers.run('healthy.io', async () => 'ok')).resolves.toBe('ok');
  });

  it('opens per host after unreachable failures and answers unreachable without calling', async () => {
    await expect(breakers.run('down.io', fail(ScanErrorCode.Unreachable))).rejects.toMatchObject({ code: ScanErrorCode.Unreachable });
    await expect(breakers.run('down.io', fail(ScanErrorCode.Unreachable))).rejects.toMatchObject({ code: ScanErrorCode.Unreachable });
    const task = jest.fn(async () => 'never');
    await expect(breakers.run('down.io', task)).rejects.toMatchObject({
      code: ScanErrorCode.Unreachable,
      message: expect.stringMatching(/^circuit open for down\.io/),
    });
    expect(task).not.toHaveBeenCalled();
    await expect(breakers.run('healthy.io', async () => 'still ok')).resolves.toBe('still ok');
  });
});
