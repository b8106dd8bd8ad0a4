import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Request counts in Redis, so every API replica counts against the same limit. Redis being down
 * must not stop the API (commands do not need it): counting then falls back to this process's
 * memory until Redis answers again.
 */
export class RedisOrMemoryThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: ThrottlerStorageRedisService;
  private readonly memory = new ThrottlerStorageService();
  private degraded = false;

  constructor(client: Redis) {
    this.redis = new ThrottlerStorageRedisService(client);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<StorageRecord> {
    try {
      const record = await this.redis.increment(key, ttl, limit, blockDuration, throttlerName);
      if (this.degraded) this.logger.log('Redis answers again: rate limits are shared between replicas again');
      this.degraded = false;
      return record;
    } catch (error) {
      if (!this.degraded) this.logger.warn(`Redis unavailable (${(error as Error).message}): counting requests in this process until it is back`);
      this.degraded = true;
      return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.memory.onApplicationShutdown();
  }
}

/** Limits each credential (its Authorization header, hashed), or each address when there is none. */
@Injectable()
export class CredentialThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const headers = request['headers'] as Record<string, string | undefined>;
    const credential = headers['authorization'];
    if (credential) return `credential:${createHash('sha256').update(credential).digest('hex').slice(0, 32)}`;
    return `address:${String(request['ip'] ?? 'unknown')}`;
  }
}
