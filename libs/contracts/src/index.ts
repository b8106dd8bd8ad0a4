export * from './lib/http/health.schema';
