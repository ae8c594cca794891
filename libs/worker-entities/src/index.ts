import { FeedEntity } from './feed.entity';
import { RegistryCredentialEntity } from './registry-credential.entity';
import { SbomEntity } from './sbom.entity';

export { WORKER_SCHEMA } from './schema';
export { FeedEntity, RegistryCredentialEntity, SbomEntity };

/** Every entity the scanner-worker registers (its other tables are written in plain SQL). */
export const WORKER_ENTITIES = [RegistryCredentialEntity, SbomEntity, FeedEntity];
