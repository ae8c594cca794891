import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestRegistry } from './start-registry';

/** Where distribution's filesystem driver keeps a blob's bytes. */
export function blobDataPath(registry: TestRegistry, digest: string): string {
  const [algorithm, hex] = digest.split(':');
  if (!algorithm || !hex || hex.length < 2) throw new Error(`corruptBlob: "${digest}" is not a digest`);
  return path.join(registry.storageDir, 'docker', 'registry', 'v2', 'blobs', algorithm, hex.slice(0, 2), hex, 'data');
}

/**
 * Overwrites a stored blob with different bytes of the same length, so the registry serves content
 * that no longer matches its digest (it does not re-hash on reads). JSON blobs (manifests, configs)
 * stay valid JSON, because distribution parses a manifest before serving it and would answer 500.
 */
export async function corruptBlob(registry: TestRegistry, digest: string): Promise<void> {
  const file = blobDataPath(registry, digest);
  await writeFile(file, tamper(await readFile(file)));
}

function tamper(bytes: Buffer): Buffer {
  const text = bytes.toString('utf8');
  const hexAt = text.indexOf('sha256:') + 'sha256:'.length;
  if (isJson(text) && hexAt >= 'sha256:'.length && Buffer.byteLength(text) === bytes.length) {
    // One hex digit of the first embedded digest changes: same length, still parseable.
    const swapped = text[hexAt] === '0' ? '1' : '0';
    return Buffer.from(text.slice(0, hexAt) + swapped + text.slice(hexAt + 1), 'utf8');
  }
  return Buffer.from(bytes.map((byte) => byte ^ 0xff));
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
