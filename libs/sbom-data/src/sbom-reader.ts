import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SbomEntity } from './entities';

/** Read-only access to stored SBOMs for other services. */
@Injectable()
export class SbomReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The newest SBOM of a manifest (the current analyzer's, once a scan has regenerated it). */
  latest(manifestDigest: string): Promise<SbomEntity | null> {
    return this.dataSource.getRepository(SbomEntity).findOne({ where: { manifestDigest }, order: { createdAt: 'DESC' } });
  }
}
