export * from './lib/config.schema';
export * from './lib/kurrentdb-url';
export * from './lib/outbound-allow';
