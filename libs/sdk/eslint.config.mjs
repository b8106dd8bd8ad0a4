import baseConfig from '../../eslint.config.mjs';

// The SDK's build bundles the contracts' types into its own declarations (tsup --dts-resolve), so
// it may use the non-buildable contracts lib; every other boundary rule stays as the root sets it.
const [level, options] = baseConfig.map((config) => config.rules?.['@nx/enforce-module-boundaries']).find(Boolean);

export default [
  ...baseConfig,
  {
    files: ['**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': [level, { ...options, enforceBuildableLibDependency: false }] },
  },
];
