/**
 * One Jest run for the whole workspace. Unit specs live beside the code (`*.spec.ts`); integration
 * suites (`*.int-spec.ts`) start real Postgres, RabbitMQ and docker-registry peers and spawn the
 * built services, so `npm test` builds before it runs them.
 */
const swcTransform = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts'],
  transform: { '^.+\\.ts$': swcTransform },
  moduleNameMapper: { '^@vulnscan/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts' },
  testTimeout: 120000,
  maxWorkers: 2,
};
