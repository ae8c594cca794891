import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Module boundaries that constrain:
 *  - an app may depend on libs only (apps never import each other);
 *  - `scope:shared` libs (contracts, config) depend on nothing of ours but each other;
 *  - `type:infra` libs may use shared libs and other infra libs, never an app;
 *  - `type:data` libs (read-only readers a service exports for the others: plain SQL over its tables,
 *    plain interfaces out) may use shared and infra libs, never an entity;
 *  - `type:data-owner` libs (a service's TypeORM entities) carry `data-of:<service>`: only that
 *    service's app may import them, so no app can register or write another service's tables;
 *  - `type:testing` is for specs only.
 * Every lib is imported through its single public entry point (`@vulnscan/<lib>`), never deep.
 */
/** The services that own a slice of the database, by their Nx scope. */
const OWNERS = ['gateway', 'scan-scheduler', 'scanner-worker', 'blob-cache-worker', 'security-status'];

/** Each app may use the owner-only data libs of its own service and of no other (the CLI owns none). */
const ownSliceOnly = [...OWNERS, 'cli'].map((service) => ({
  sourceTag: `scope:${service}`,
  notDependOnLibsWithTags: OWNERS.filter((owner) => owner !== service).map((owner) => `data-of:${owner}`),
}));

/** The layering, plus `extra` tags every layer may use (the testing helpers, in specs). */
const layers = (extra) => [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:shared', 'type:infra', 'type:data', 'type:data-owner', ...extra] },
  { sourceTag: 'type:data-owner', onlyDependOnLibsWithTags: ['type:shared', 'type:infra', 'type:data', ...extra] },
  { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:shared', 'type:infra', ...extra] },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:shared', 'type:infra', ...extra] },
  { sourceTag: 'type:shared', onlyDependOnLibsWithTags: ['type:shared', ...extra] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:shared', 'type:infra', 'type:testing'] },
  ...ownSliceOnly,
];

export default [
  { ignores: ['**/dist', '**/dist-bench', '**/node_modules', '**/.nx', 'tmp/**', 'bench/results/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: layers([]),
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@vulnscan/*/*'], message: 'Import a lib through its public entry point (@vulnscan/<lib>).' }] },
      ],
    },
  },
  {
    // Specs may use the testing helpers; production code may not.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: layers(['type:testing']),
        },
      ],
    },
  },
];
