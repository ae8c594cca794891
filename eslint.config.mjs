import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Module boundaries that constrain:
 *  - an app may depend on libs only (apps never import each other);
 *  - `scope:shared` libs (contracts, config) depend on nothing of ours but each other;
 *  - `type:infra` libs may use shared libs and other infra libs, never an app;
 *  - `type:data` libs (a service's tables and read-only reader) may use shared and infra libs;
 *  - `type:testing` is for specs only.
 * Every lib is imported through its single public entry point (`@vulnscan/<lib>`), never deep.
 */
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
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:shared', 'type:infra', 'type:data'] },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:shared', 'type:infra'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:shared', 'type:infra'] },
            { sourceTag: 'type:shared', onlyDependOnLibsWithTags: ['type:shared'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:shared', 'type:infra', 'type:testing'] },
          ],
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
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:shared', 'type:infra', 'type:data', 'type:testing'] },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:shared', 'type:infra', 'type:testing'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:shared', 'type:infra', 'type:testing'] },
            { sourceTag: 'type:shared', onlyDependOnLibsWithTags: ['type:shared', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:shared', 'type:infra', 'type:testing'] },
          ],
        },
      ],
    },
  },
];
