import { Injectable, Logger } from '@nestjs/common';
import {
  ListTargetImagesCommand,
  ListTargetImagesReply,
  ScanError,
  ScanErrorCode,
  ScheduleTargetKind,
  WorkerErrorCode,
} from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';
import { formatReference } from '@vulnscan/image-reference';
import { RegistryClient, RepositoryName } from '@vulnscan/registry';
import { TenantRegistryClients } from '../registry/tenant-registry-clients';
import { listingRejection } from './listing-rejection';
import { TagFilter } from './tag-filter';
import { catalogRepository, tagReference, targetImage, targetRegistry, targetRepository } from './target-references';

interface Expansion {
  readonly client: RegistryClient;
  readonly filter: TagFilter | undefined;
  readonly signal: AbortSignal | undefined;
}

/**
 * Expands a schedule target into image references, with the tenant's registry credentials:
 * one image, every tag of a repository, or every tag of every repository in a registry's catalog.
 * Each tenant gets its own registry client, so tokens obtained for one tenant never serve another.
 */
@Injectable()
export class TargetImages {
  private readonly logger = new Logger(TargetImages.name);
  constructor(private readonly clients: TenantRegistryClients) {}

  /** Throws CommandRejectedError: 400 for an invalid target, the registry failure's status otherwise. */
  async list(command: ListTargetImagesCommand, signal?: AbortSignal): Promise<ListTargetImagesReply> {
    const { target, limit } = command;
    const filter = TagFilter.compile(target.tagFilter);
    const expansion = { client: this.clients.for(command.tenantId), filter, signal };
    switch (target.kind) {
      case ScheduleTargetKind.Image: {
        // The scan resolves the image; listing it needs no registry request. A digest-only
        // reference has no tag to filter: it names exactly the one image it was given for.
        const image = targetImage(target.image);
        const selected = !image.tag || !filter || filter.matches(image.tag);
        return { images: selected ? [formatReference(image)] : [], truncated: false };
      }
      case ScheduleTargetKind.Repository:
        return this.tagsOf(expansion, targetRepository(target.registry, target.repository), limit);
      case ScheduleTargetKind.Catalog:
        return this.catalog(expansion, targetRegistry(target.registry), limit);
      default:
        throw new CommandRejectedError(
          WorkerErrorCode.InvalidTarget,
          `target.kind "${String(target.kind)}" is not image, repository or catalog`,
        );
    }
  }

  /** Every repository first (one request per page), then tags repository by repository until one past `limit`. */
  private async catalog(expansion: Expansion, registry: string, limit: number): Promise<ListTargetImagesReply> {
    const listed = await this.registryCall(`the catalog of ${registry}`, () =>
      expansion.client.listRepositories(registry, { signal: expansion.signal }),
    );
    const images: string[] = [];
    for (const name of listed.names) {
      const repository = catalogRepository(registry, name);
      if (!repository) {
        this.logger.warn(`skipping repository "${name}" of the catalog of ${registry}: not a valid repository name`);
        continue;
      }
      const tags = await this.tagsOf(expansion, repository, limit - images.length).catch((error: unknown) => {
        // A catalog also lists repositories that never got a manifest (an interrupted first push).
        if (!(error instanceof CommandRejectedError && error.code === ScanErrorCode.NotFound)) throw error;
        this.logger.warn(`skipping a repository of the catalog of ${registry}: ${error.message}`);
        return { images: [], truncated: false };
      });
      images.push(...tags.images);
      if (tags.truncated) return { images, truncated: true };
    }
    return { images, truncated: listed.truncated };
  }

  private async tagsOf(expansion: Expansion, repository: RepositoryName, limit: number): Promise<ListTargetImagesReply> {
    const subject = `the tags of ${formatReference(repository)}`;
    const select = (tags: readonly string[]): string[] => {
      const valid = tags.filter((tag) => tagReference(repository, tag) !== undefined);
      if (valid.length < tags.length) this.logger.warn(`skipping ${tags.length - valid.length} invalid tag(s) among ${subject}`);
      return expansion.filter ? expansion.filter.select(valid) : valid;
    };
    const listed = await this.registryCall(subject, () =>
      expansion.client.listTags(repository, { limit, filter: select, signal: expansion.signal }),
    );
    return { images: listed.names.map((tag) => formatReference({ ...repository, tag })), truncated: listed.truncated };
  }

  private async registryCall<T>(subject: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ScanError) throw listingRejection(error, subject);
      throw error;
    }
  }
}
