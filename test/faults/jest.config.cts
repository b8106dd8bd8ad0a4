module.exports = {
  displayName: 'faults',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js'],
  // The fault experiments, each file a PostgreSQL cluster, Redis, the API and a worker of its own.
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // Each experiment runs a PostgreSQL cluster, Redis, the API and a worker: one file at a time.
  maxWorkers: 1,
  // The experiments own child processes, sockets and timers; should one be left behind by a failed
  // experiment, the run must still end with its verdict rather than wait for it (CI has a limit).
  forceExit: true,
};
