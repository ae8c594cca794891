import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FeedEntity } from './entities';

/** Read-only access to the vulnerability database's state for other services. */
@Injectable()
export class VulnDbReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  feeds(): Promise<FeedEntity[]> {
    return this.dataSource.getRepository(FeedEntity).find({ order: { name: 'ASC' } });
  }

  /** The current database version: the newest import that changed anything; undefined before the first. */
  async currentVersion(): Promise<string | undefined> {
    const [row] = (await this.dataSource.query('SELECT max(version)::text AS version FROM worker.vulndb_versions')) as {
      version: string | null;
    }[];
    return row?.version ?? undefined;
  }
}
