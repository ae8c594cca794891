import type { TestRegistry } from './start-registry';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

/**
 * Puts the manifest of `repository:from` under more tags of the same repository (the registry
 * API's manifest PUT; no blob is copied), a few requests at a time. Returns the references.
 */
export async function retagManifest(
  registry: TestRegistry,
  repository: string,
  from: string,
  tags: string[],
  concurrency = 8,
): Promise<string[]> {
  const source = await fetch(`${registry.url}/v2/${repository}/manifests/${from}`, { headers: { accept: MANIFEST_TYPES.join(', ') } });
  if (!source.ok) throw new Error(`GET ${repository}:${from} answered ${source.status}`);
  const mediaType = source.headers.get('content-type') ?? MANIFEST_TYPES[0]!;
  const body = Buffer.from(await source.arrayBuffer());
  const queue = [...tags];
  const put = async (): Promise<void> => {
    for (let tag = queue.shift(); tag !== undefined; tag = queue.shift()) {
      const answer = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
        method: 'PUT',
        headers: { 'content-type': mediaType },
        body,
      });
      if (answer.status !== 201) throw new Error(`PUT ${repository}:${tag} answered ${answer.status}: ${await answer.text()}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, put));
  return tags.map((tag) => `${registry.host}/${repository}:${tag}`);
}
