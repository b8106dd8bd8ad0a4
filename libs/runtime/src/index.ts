export * from './lib/config.module';
export * from './lib/event-store.module';
export * from './lib/redis.module';
export * from './lib/bootstrap';
export * from './lib/log-follower.service';
export * from './lib/worker-loops.module';
export * from './lib/version';
export * from './lib/projections.service';
