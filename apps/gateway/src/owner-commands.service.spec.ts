import { Commands, ScanTrigger } from '@vulnscan/contracts';
import { AmqpRequester, CommandFailedError, RequestTimeoutError } from '@vulnscan/messaging';
import { ApiError } from '@vulnscan/service-runtime';
import { GatewayEnv } from './env';
import { OwnerCommands } from './owner-commands.service';

function commandsFailingWith(error: Error): { commands: OwnerCommands; request: jest.Mock } {
  const request = jest.fn().mockRejectedValue(error);
  const env = Object.assign(new GatewayEnv(), { COMMAND_TIMEOUT_MS: 1234 });
  return { commands: new OwnerCommands({ request } as unknown as AmqpRequester, env), request };
}

async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

describe('OwnerCommands', () => {
  it('sends the contract payload with the tenant and the configured timeout, and answers the reply', async () => {
    const request = jest.fn().mockResolvedValue({ scanId: 's1', status: 'queued', deduplicated: false });
    const commands = new OwnerCommands(
      { request } as unknown as AmqpRequester,
      Object.assign(new GatewayEnv(), { COMMAND_TIMEOUT_MS: 1234 }),
    );
    await expect(commands.create('acme', { image: 'docker.io/library/alpine:3.20', requestedBy: 'k1' })).resolves.toEqual({
      scanId: 's1',
      status: 'queued',
      deduplicated: false,
    });
    expect(request).toHaveBeenCalledWith(
      Commands.CreateScan,
      { image: 'docker.io/library/alpine:3.20', requestedBy: 'k1', tenantId: 'acme', trigger: ScanTrigger.Api },
      { tenantId: 'acme', timeoutMs: 1234 },
    );
  });

  it.each([
    ['too_many_images', 422],
    ['upstream_conflict', 409],
    ['registry_credential_not_found', 404],
    ['invalid_webhook_url', 400],
    ['brand_new_refusal', 400],
  ])('answers the rejection code %s with the table’s status %i', async (code, status) => {
    const { commands } = commandsFailingWith(new CommandFailedError(code, 'refused'));
    const error = await apiErrorOf(commands.cancel('acme', 's1'));
    expect(error).toMatchObject({ statusCode: status, code, detail: 'refused', headers: {} });
  });

  it('passes the owner’s Retry-After on, and gives a 503 without one five seconds', async () => {
    const limited = await apiErrorOf(commandsFailingWith(new CommandFailedError('rate_limited', 'later', 12)).commands.cancel('a', 's'));
    expect(limited).toMatchObject({ statusCode: 429, headers: { 'Retry-After': '12' } });
    const disabled = await apiErrorOf(commandsFailingWith(new CommandFailedError('webhooks_disabled', 'no key')).commands.cancel('a', 's'));
    expect(disabled).toMatchObject({ statusCode: 503, code: 'webhooks_disabled', headers: { 'Retry-After': '5' } });
  });

  it('answers no reply in time as owner_unavailable and any other failure as broker_unavailable, both 503', async () => {
    const timeout = await apiErrorOf(commandsFailingWith(new RequestTimeoutError(Commands.CancelScan, 1234)).commands.cancel('a', 's'));
    expect(timeout).toMatchObject({
      statusCode: 503,
      code: 'owner_unavailable',
      detail: 'No answer to command.scan.cancel.v1 in time; try again.',
      headers: { 'Retry-After': '5' },
    });
    const down = await apiErrorOf(commandsFailingWith(new Error('ECONNREFUSED')).commands.cancel('a', 's'));
    expect(down).toMatchObject({ statusCode: 503, code: 'broker_unavailable', headers: { 'Retry-After': '5' } });
  });
});
