import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { RequestContext, WHOLE_REGISTRY, describe, errorForNetworkFailure, isCallerAbort } from '../http/error-mapping';
import type { RegistryHttp } from '../http/registry-http';
import { BodyTooLargeError, readBody } from '@vulnscan/outbound-http';
import type { ImageReference } from '@vulnscan/image-reference';
import { parseCatalog, parseTagList } from './listing-body';
import { ListOptions, ListingPage, NameList, PagedListing, collectNames } from './paged-names';

/** A repository on a registry (an ImageReference is one). */
export type RepositoryName = Pick<ImageReference, 'registry' | 'repository'>;

/** Registries that do not paginate send every tag a repository ever had in one page. */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;

/**
 * The distribution spec's listing endpoints, read through the client's request path (policy,
 * credentials, auth challenges, redirects, breaker and error mapping as for manifests).
 */
/** The bearer-token scope of `GET /v2/_catalog` (distribution's token spec). */
const CATALOG_SCOPE = 'registry:catalog:*';

export class RegistryListing {
  constructor(private readonly http: RegistryHttp) {}

  tags(repository: RepositoryName, options: ListOptions = {}): Promise<NameList> {
    const ctx = { registry: repository.registry, repository: repository.repository, what: 'tag list' };
    return collectNames(this.listing(ctx, `/v2/${repository.repository}/tags/list`, parseTagList, options.signal), options);
  }

  repositories(registry: string, options: ListOptions = {}): Promise<NameList> {
    const ctx = { registry, repository: WHOLE_REGISTRY, what: 'catalog', scope: CATALOG_SCOPE };
    return collectNames(this.listing(ctx, '/v2/_catalog', parseCatalog, options.signal), options);
  }

  private listing(
    ctx: RequestContext,
    firstPath: string,
    parse: (body: Buffer, where: string) => string[],
    signal: AbortSignal | undefined,
  ): PagedListing {
    const where = describe(ctx);
    return { firstPath, where, fetch: (path) => this.page(ctx, path, signal), parse: (body) => parse(body, where) };
  }

  private async page(ctx: RequestContext, path: string, signal: AbortSignal | undefined): Promise<ListingPage> {
    const response = await this.http.get({ ...ctx, path, headers: { Accept: 'application/json' }, signal });
    try {
      return { url: response.url, link: response.headers.link, body: await readBody(response.body, MAX_PAGE_BYTES) };
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        throw new ScanError(ScanErrorCode.Internal, `${describe(ctx)}: a page is larger than ${MAX_PAGE_BYTES} bytes`);
      }
      if (isCallerAbort(error, signal)) throw error;
      throw errorForNetworkFailure(error, ctx);
    }
  }
}
