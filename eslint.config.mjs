import nx from '@nx/eslint-plugin';

// What the pure layers may never import: frameworks, drivers, queues and node I/O. The domain and
// the contracts must run anywhere (browser SDK, workers, tests) and stay free of side effects.
const impureModules = [
  '@nestjs/*',
  'pg',
  'pg-*',
  '@electric-sql/*',
  '@kurrent/*',
  'bullmq',
  'ioredis',
  'express',
  'nodemailer',
  'node:*',
  'fs',
  'fs/*',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'worker_threads',
  'cluster',
  'dgram',
  'dns',
  'os',
  'path',
  'tls',
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', 'test/bench/peer/**'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          // The root package.json is workspace metadata (the version), not another project's code.
          // The apps' webpack files share tools/node-app.webpack.js, build tooling, not project code.
          allow: [
            '^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$',
            '^(\\.\\./)+package\\.json$',
            '^(\\.\\./)+tools/node-app\\.webpack(\\.js)?$',
          ],
          depConstraints: [
            // Layers (type): apps → infrastructure → application → domain → contracts.
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:sdk',
                'type:infrastructure',
                'type:application',
                'type:data-access',
                'type:domain',
                'type:contracts',
                'type:util',
              ],
            },
            {
              sourceTag: 'type:infrastructure',
              onlyDependOnLibsWithTags: [
                'type:infrastructure',
                'type:application',
                'type:data-access',
                'type:domain',
                'type:contracts',
                'type:util',
              ],
            },
            {
              sourceTag: 'type:application',
              onlyDependOnLibsWithTags: ['type:application', 'type:data-access', 'type:domain', 'type:contracts', 'type:util'],
            },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            // The client SDK ships to other systems: the shared contracts and nothing of the server.
            { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'], bannedExternalImports: impureModules },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: impureModules },
            // Scopes: shared code runs anywhere, so it may only use shared code.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    // Node built-ins are not npm projects, so the boundary rule cannot see them: ban them here too.
    files: ['libs/domain/**/*.ts', 'libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: impureModules, message: 'libs/domain and libs/contracts stay pure: no frameworks, drivers, queues or node I/O.' },
          ],
        },
      ],
    },
  },
];
