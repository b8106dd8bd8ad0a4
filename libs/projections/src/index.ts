export * from './lib/projection';
export * from './lib/read-model-store';
export * from './lib/sql-read-model-store';
export * from './lib/in-memory-read-model-store';
export * from './lib/projection-runner';
export * from './lib/rebuild';
