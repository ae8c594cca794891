import { createHash } from 'node:crypto';
import type { TestRegistry } from './start-registry';

/**
 * Stores `manifest` under `repository:tag` with the registry API's manifest PUT (every blob and
 * child manifest it names must be in the repository already) and returns its digest and size.
 */
export async function putManifest(
  registry: TestRegistry,
  repositoryAndTag: string,
  manifest: Record<string, unknown> & { mediaType: string },
): Promise<{ digest: string; size: number }> {
  const at = repositoryAndTag.lastIndexOf(':');
  const [repository, tag] = [repositoryAndTag.slice(0, at), repositoryAndTag.slice(at + 1)];
  const body = Buffer.from(JSON.stringify(manifest));
  const answer = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': manifest.mediaType },
    body,
  });
  if (answer.status !== 201) throw new Error(`PUT ${repositoryAndTag} answered ${answer.status}: ${await answer.text()}`);
  return { digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, size: body.length };
}
