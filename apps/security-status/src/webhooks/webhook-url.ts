import { ScanError, ScanErrorCode, StatusErrorCode, webhookUrlProblem } from '@vulnscan/contracts';
import { hostWithPort, OutboundHostPolicy, ResolvedAddress } from '@vulnscan/outbound-http';

/** Why a webhook URL is refused; `code` is the API's error code, the message names the field. */
export class WebhookUrlError extends Error {
  constructor(
    readonly code: StatusErrorCode.InvalidWebhookUrl | StatusErrorCode.HostNotAllowed | StatusErrorCode.HostUnresolvable,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookUrlError';
  }
}

export interface CheckedUrl {
  url: URL;
  /** The policy-checked addresses: deliveries connect to these only (no second DNS answer). */
  addresses: ResolvedAddress[];
}

/**
 * The whole check of a webhook URL, at creation and again before every delivery (DNS can change):
 * an absolute http(s) URL without credentials, whose host resolves only to addresses the outbound
 * policy allows (private and loopback ones only for hosts in WEBHOOK_ALLOWED_HOSTS).
 */
export async function checkWebhookUrl(value: string, policy: OutboundHostPolicy): Promise<CheckedUrl> {
  const problem = webhookUrlProblem(value);
  if (problem) throw new WebhookUrlError(StatusErrorCode.InvalidWebhookUrl, problem);
  const url = new URL(value);
  try {
    return { url, addresses: await policy.check(hostWithPort(url)) };
  } catch (error) {
    if (error instanceof ScanError) {
      const code = error.code === ScanErrorCode.HostNotAllowed ? StatusErrorCode.HostNotAllowed : StatusErrorCode.HostUnresolvable;
      throw new WebhookUrlError(code, `url: ${error.message.replace(/allowedHosts or insecureRegistries/, 'WEBHOOK_ALLOWED_HOSTS')}`);
    }
    throw error;
  }
}
