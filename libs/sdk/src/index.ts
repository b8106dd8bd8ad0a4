export * from './lib/checkpoint';
export * from './lib/feed-client';
export * from './lib/command-client';
