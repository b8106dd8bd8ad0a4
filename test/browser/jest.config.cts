module.exports = {
  displayName: 'browser',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js'],
  // One API and one browser per file; two cores carry one file at a time.
  maxWorkers: 1,
  testTimeout: 30_000,
};
