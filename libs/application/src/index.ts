export * from './lib/streams';
export * from './lib/errors';
export * from './lib/command-handler';
export * from './lib/planning';
export * from './lib/demo/demo-project';
