export * from './entities';
export * from './sbom-reader';
