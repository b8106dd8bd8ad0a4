export * from './lib/streams';
export * from './lib/errors';
export * from './lib/aggregate-cache';
export * from './lib/command-handler';
export * from './lib/planning';
export * from './lib/demo/demo-project';
export * from './lib/access';
export * from './lib/history';
