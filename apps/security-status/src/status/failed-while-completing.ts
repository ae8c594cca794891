import { ManifestCompletePayload } from '@vulnscan/contracts';
import { SecurityStatus, UnsupportedReason } from '@vulnscan/status-data';
import type { ManifestSecurityStatusEntity } from '@vulnscan/status-entities';

/**
 * The scan failed for missing layers although the cache had placed every blob before the failure
 * was recorded: only this ManifestComplete was still on its way. Such a failure says nothing about
 * the image, so it is asked again at once, whatever PROXY_CACHE_AUTO_RESET_SECURITY_STATUS says.
 */
export function failedWhileCompleting(
  row: Pick<ManifestSecurityStatusEntity, 'status' | 'reason' | 'updatedAt'>,
  event: ManifestCompletePayload,
): boolean {
  return (
    row.status === SecurityStatus.Unsupported &&
    row.reason === UnsupportedReason.LayersUnavailable &&
    event.completedAt !== undefined &&
    new Date(event.completedAt).getTime() <= row.updatedAt.getTime()
  );
}
