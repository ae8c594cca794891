export * from './sbom-reader';
