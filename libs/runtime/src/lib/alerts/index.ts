export * from './alert-queues';
export * from './alert-dispatcher';
export * from './alert-jobs';
export * from './alerts.module';
export * from './alerts.tokens';
export * from './clock';
export * from './plan-jobs';
