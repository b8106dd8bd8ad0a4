import { Inject, Injectable, Logger, type ExecutionContext, type OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerStorageService, type ThrottlerRequest, type ThrottlerStorage } from '@nestjs/throttler';
import type { PlanLedgerConfig } from '@planledger/config';
import { PLANLEDGER_CONFIG } from '@planledger/runtime';
import { AuthenticationFailed, Authenticator } from './authenticator';
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
      if (!this.degraded)
        this.logger.warn(`Redis unavailable (${(error as Error).message}): counting requests in this process until it is back`);
      this.degraded = true;
      return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.memory.onApplicationShutdown();
  }
}

/** The throttlers, by name: every request per principal, and failed authentications apart. */
export const RATE_LIMIT = 'default';
export const FAILED_BY_ADDRESS = 'failed-auth-address';
export const FAILED_BY_KEY = 'failed-auth-key';

/** Who a request counts against, found once per request. */
type Identity = { kind: 'principal' | 'session' | 'anonymous'; tracker: string } | { kind: 'failed'; tracker: string; keyPrefix?: string };
const IDENTITY = Symbol('rate-limit identity');

const hashed = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/** The Redis key of one principal's counter for one throttler, under the installation's prefix. */
export const rateLimitKey = (prefix: string, throttler: string, subject: string) => `${prefix}:rate:${throttler}:${hashed(subject)}`;

/**
 * Limits each principal across all routes together: the subject of a verified token or API key
 * (however the header is spelled), a browser session, or the address of a request without a
 * credential. A credential that fails to authenticate counts against the address and, for an API
 * key, against the key's public prefix, with its own much smaller limit, so guessing is slow.
 * Counters live in Redis under the installation's QUEUE_PREFIX.
 */
@Injectable()
export class CredentialThrottlerGuard extends ThrottlerGuard {
  @Inject(Authenticator) private readonly authenticator!: Authenticator;
  @Inject(PLANLEDGER_CONFIG) private readonly config!: PlanLedgerConfig;

  private async identify(request: Record<string | symbol, unknown>): Promise<Identity> {
    const known = request[IDENTITY] as Identity | undefined;
    if (known) return known;
    const headers = request['headers'] as Record<string, string | undefined>;
    const address = `address:${String(request['ip'] ?? 'unknown')}`;
    const authorization = headers['authorization'];
    let identity: Identity;
    if (authorization !== undefined) {
      try {
        identity = { kind: 'principal', tracker: `principal:${(await this.authenticator.authenticate(authorization)).subject}` };
      } catch (error) {
        if (!(error instanceof AuthenticationFailed)) throw error;
        // The part of an API key before its secret names the key: guessing one key's secret from many addresses is limited too.
        const key = /^\s*apikey\s+(plk_[A-Za-z0-9-]{1,100})\./i.exec(authorization)?.[1];
        identity = { kind: 'failed', tracker: address, ...(key ? { keyPrefix: key } : {}) };
      }
    } else {
      const session = /(?:^|;\s*)planledger_session=([^;]+)/.exec(headers['cookie'] ?? '')?.[1];
      identity = session ? { kind: 'session', tracker: `session:${hashed(session)}` } : { kind: 'anonymous', tracker: address };
    }
    request[IDENTITY] = identity;
    return identity;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const identity = await this.identify(props.context.switchToHttp().getRequest());
    if (props.throttler.name === FAILED_BY_ADDRESS && identity.kind !== 'failed') return true;
    if (props.throttler.name === FAILED_BY_KEY && !(identity.kind === 'failed' && identity.keyPrefix)) return true;
    return super.handleRequest(props);
  }

  /** Retry-After under its standard name, whichever throttler refused. */
  protected override setResponseHeader(res: Record<string, unknown>, name: string, value: string | number): void {
    super.setResponseHeader(res, name.startsWith('Retry-After') ? 'Retry-After' : name, value);
  }

  protected override async getTracker(request: Record<string | symbol, unknown>): Promise<string> {
    return (await this.identify(request)).tracker;
  }

  /** One counter per principal for every route (not one per route), under the installation's prefix. */
  protected override generateKey(context: ExecutionContext, tracker: string, name: string): string {
    const identity = context.switchToHttp().getRequest<Record<symbol, Identity | undefined>>()[IDENTITY];
    const subject = name === FAILED_BY_KEY && identity?.kind === 'failed' ? `key:${identity.keyPrefix}` : tracker;
    return rateLimitKey(this.config.QUEUE_PREFIX, name, subject);
  }
}
