import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { Redis } from 'ioredis';
import { PLANLEDGER_CONFIG } from './config.module';

/** DI token for the process's shared ioredis connection (health, and later BullMQ producers). */
export const REDIS = Symbol.for('planledger.Redis');

/**
 * One Redis connection per process. Redis being down must never stop the API: the client
 * connects lazily, reconnects with capped backoff, and fails commands at once while offline.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [PLANLEDGER_CONFIG],
      useFactory: (config: PlanLedgerConfig): Redis => {
        const logger = new Logger('Redis');
        const redis = new Redis(config.REDIS_URL, {
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
        });
        let reported = false;
        redis.on('error', (error: Error) => {
          if (!reported) logger.warn(`Redis unavailable at ${config.REDIS_URL}: ${error.message}; retrying in the background`);
          reported = true;
        });
        redis.on('ready', () => {
          if (reported) logger.log(`Redis reachable again at ${config.REDIS_URL}`);
          reported = false;
        });
        redis.connect().catch(() => undefined);
        return redis;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect(false);
  }
}
