import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { run } from '../processes';
import type { TestRegistry, TestUser } from './start-registry';

/** `--insecure-policy` so a missing or strict /etc/containers/policy.json cannot break a test run. */
export const SKOPEO = ['--insecure-policy'];

export function credsFlag(flag: string, creds: TestUser | undefined): string[] {
  return creds ? [flag, `${creds.username}:${creds.password}`] : [];
}

/** A throwaway directory that is removed whatever `work` does. */
export async function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** skopeo 1.9 cannot read a gzip-compressed docker-archive, so compressed fixtures are unpacked first. */
export async function uncompressedArchive(archivePath: string, dir: string): Promise<string> {
  const handle = await open(archivePath, 'r');
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0);
  await handle.close();
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) return archivePath;
  const target = path.join(dir, 'image.tar');
  await pipeline(createReadStream(archivePath), createGunzip(), createWriteStream(target));
  return target;
}

/**
 * Pushes a `docker save` archive to the registry as `<repository>:<tag>` and returns the manifest
 * digest the registry stored, as skopeo reports it.
 */
export async function pushImage(archivePath: string, registry: TestRegistry, repositoryAndTag: string, creds?: TestUser): Promise<string> {
  return withTempDir('vulnscan-push-', async (dir) => {
    const archive = await uncompressedArchive(archivePath, dir);
    const digestFile = path.join(dir, 'digest');
    await run('skopeo', [
      ...SKOPEO,
      'copy',
      '--dest-tls-verify=false',
      ...credsFlag('--dest-creds', creds),
      '--digestfile',
      digestFile,
      `docker-archive:${archive}`,
      `docker://${registry.host}/${repositoryAndTag}`,
    ]);
    return (await readFile(digestFile, 'utf8')).trim();
  });
}

/** The raw manifest the registry serves for `repositoryAndTag`, and its sha256 digest. */
export async function inspectRaw(
  registry: TestRegistry,
  repositoryAndTag: string,
  creds?: TestUser,
): Promise<{ raw: Buffer; digest: string }> {
  const stdout = await run('skopeo', [
    ...SKOPEO,
    'inspect',
    '--raw',
    '--tls-verify=false',
    ...credsFlag('--creds', creds),
    `docker://${registry.host}/${repositoryAndTag}`,
  ]);
  const raw = Buffer.from(stdout, 'utf8');
  return { raw, digest: `sha256:${createHash('sha256').update(raw).digest('hex')}` };
}
