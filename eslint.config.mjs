import nx from '@nx/eslint-plugin';

export default [
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '**/.nx'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      // Layering: plugins use core only; core uses no plugin; the CLI knows no feature plugin by name.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:plugin', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:dist', onlyDependOnLibsWithTags: ['scope:cli', 'scope:plugin', 'scope:core'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:core', 'scope:tools'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // Node's recursive mkdir retries for ever where mkdir says ENOENT although the parent exists (below /proc,
    // some FUSE filesystems): shipped code uses core's makeDirectory, which fails at once naming the path.
    files: ['packages/*/src/**/*.ts', 'tools/example-target-plugin/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.spec.helper.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name=/^mkdir(Sync)?$/] > ObjectExpression > Property[key.name='recursive']",
          message: 'use makeDirectory from @ovirt-repo/core: a recursive mkdir can loop for ever (below /proc)',
        },
      ],
    },
  },
  {
    // Tests may also use the shared test tools (fixture RPM writer, tool detection); shipped code may not.
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:tools'] },
            { sourceTag: 'scope:plugin', onlyDependOnLibsWithTags: ['scope:core', 'scope:tools'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:core', 'scope:tools'] },
            { sourceTag: 'scope:dist', onlyDependOnLibsWithTags: ['scope:cli', 'scope:plugin', 'scope:core', 'scope:tools'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:core', 'scope:tools'] },
          ],
        },
      ],
    },
  },
];
