import { All, Controller, Get, Logger, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobCache } from '../blobs/blob-cache.service';
import { ManifestCache } from '../manifests/manifest-cache.service';
import { CacheMetrics } from '../metrics';
import { normalizeRepository, Upstreams } from '../upstreams/upstreams.service';
import { OciError } from './oci-error';
import { OciErrorFilter } from './oci-error.filter';
import { RegistryAuth } from './registry-auth';
import { parseRegistryPath } from './request-path';

const API_VERSION = { 'Docker-Distribution-API-Version': 'registry/2.0' };

/**
 * The OCI Distribution pull API, as a pull-through cache: `GET /v2/`, and GET/HEAD of manifests
 * and blobs. `?ns=<registry host>` (what containerd mirrors send) picks the upstream; without it
 * the first configured upstream answers. `Cache-Control: only-if-cached` never reaches upstream.
 * Every pull takes a tenant API key (`Bearer <key>` or Basic with the key as the password) unless
 * CACHE_ANONYMOUS_PULLS is on; see RegistryAuth and Upstreams.resolve.
 */
@ApiExcludeController()
@Controller('v2')
@UseFilters(OciErrorFilter)
export class RegistryController {
  private readonly logger = new Logger(RegistryController.name);
  private readonly bytesServed = CacheMetrics.bytesServed();

  constructor(
    private readonly upstreams: Upstreams,
    private readonly manifests: ManifestCache,
    private readonly blobs: BlobCache,
    private readonly auth: RegistryAuth,
  ) {}

  /**
   * The version check clients probe first: 200 with a valid key; anonymously 200 only when
   * anonymous pulls are on and `?ns=` names no registry that only tenants registered, 401 with
   * the Basic challenge otherwise (so a client answers it with its key).
   */
  @Get()
  async base(@Req() request: Request, @Res() response: Response): Promise<void> {
    const requester = await this.auth.requirePuller(request.get('authorization'));
    const ns = request.query['ns'];
    if (requester.kind === 'anonymous' && typeof ns === 'string' && ns !== '') {
      // Only the challenge matters here: an unknown registry is for the pull itself to report.
      await this.upstreams.resolve(ns, requester).catch((error: unknown) => {
        if (!(error instanceof OciError && error.status === 404)) throw error;
      });
    }
    response.set(API_VERSION).status(200).json({});
  }

  /** Express routes HEAD here too; it gets the same headers and no body. */
  @Get('*path')
  async pull(@Req() request: Request, @Res() response: Response): Promise<void> {
    const route = parseRegistryPath(request.path);
    if (route.kind === 'base') return this.base(request, response);
    const ns = request.query['ns'];
    if (ns !== undefined && typeof ns !== 'string')
      throw new OciError(400, 'NAME_INVALID', 'give ?ns= (the upstream registry host) at most once');
    const onlyIfCached = /(^|[\s,])only-if-cached($|[\s,])/i.test(request.get('cache-control') ?? '');
    const requester = await this.auth.requirePuller(request.get('authorization'));
    // The internal token reads what tenants' own pulls cached; it never makes the cache pull.
    if (requester.kind === 'internal' && !onlyIfCached) {
      throw new OciError(403, 'DENIED', 'the platform-internal token reads cached content only (Cache-Control: only-if-cached)');
    }
    const upstream = await this.upstreams.resolve(ns, requester);
    const repository = normalizeRepository(upstream, route.name);
    const headOnly = request.method === 'HEAD';

    if (route.kind === 'manifest') {
      const { manifest, source } = await this.manifests.get({
        upstream,
        repository,
        reference: route.reference,
        byDigest: route.byDigest,
        onlyIfCached,
      });
      response.status(200).set({
        ...API_VERSION,
        'Content-Type': manifest.mediaType,
        'Content-Length': String(manifest.bytes.length),
        'Docker-Content-Digest': manifest.digest,
        ETag: `"${manifest.digest}"`,
      });
      if (!headOnly) this.bytesServed.inc({ source }, manifest.bytes.length);
      response.end(headOnly ? undefined : manifest.bytes);
      return;
    }

    const answer = await this.blobs.get({
      upstream,
      repository,
      digest: route.digest,
      onlyIfCached,
      headOnly,
      range: request.get('range'),
    });
    const common = { ...API_VERSION, 'Docker-Content-Digest': route.digest, 'Accept-Ranges': 'bytes', ETag: `"${route.digest}"` };
    if (answer.status === 416) {
      throw new OciError(416, 'RANGE_INVALID', `the blob is ${answer.size} bytes; the requested range is outside it`, {
        'Content-Range': `bytes */${answer.size}`,
      });
    }
    const length = answer.range ? answer.range.end - answer.range.start + 1 : answer.size;
    response.status(answer.status).set({ ...common, 'Content-Type': 'application/octet-stream', 'Content-Length': String(length) });
    if (answer.range) response.setHeader('Content-Range', `bytes ${answer.range.start}-${answer.range.end}/${answer.size}`);
    if (!answer.open || headOnly) {
      response.end();
      return;
    }
    await this.send(answer.open(), response, answer.source, route.digest);
  }

  @All('*path')
  refuse(): never {
    throw new OciError(405, 'UNSUPPORTED', 'this registry is a read-only pull-through cache: push to the upstream registry instead');
  }

  /** Streams a body; a body that fails midway (content that did not verify) cuts the connection. */
  private async send(body: Readable, response: Response, source: 'cache' | 'upstream', digest: string): Promise<void> {
    body.on('data', (chunk: Buffer) => this.bytesServed.inc({ source }, chunk.length));
    try {
      await pipeline(body, response);
    } catch (error) {
      response.destroy();
      // The client hanging up is its business; a body that failed (content that did not verify) is ours.
      if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE')
        this.logger.debug({ digest, source }, 'the client closed the blob transfer');
      else this.logger.warn({ digest, source, err: error }, 'blob transfer cut: its content failed');
    }
  }
}
