export * from './lib/config.schema';
