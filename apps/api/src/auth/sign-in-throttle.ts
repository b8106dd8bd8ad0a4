import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { PLANLEDGER_CONFIG, REDIS } from '@planledger/runtime';
import type { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import { sha256 } from './sessions.service';

/** Sign-in figures, merged into GET /metrics. */
export const signInRegistry = new Registry();
export const signInAttempts = new Counter({
  name: 'planledger_sign_in_attempts_total',
  help: 'Sign-in attempts by method (password, token, oidc, link, invitation, reset) and outcome (success, failure, throttled)',
  labelNames: ['method', 'outcome'],
  registers: [signInRegistry],
});

/**
 * Slows password guessing: failed sign-ins are counted per account and per client address over a
 * window, in Redis (shared by replicas) or in this process while Redis is down; past the limit an
 * attempt is refused before its password is even checked, until the window ends.
 */
@Injectable()
export class SignInThrottle {
  private readonly logger = new Logger('SignInThrottle');
  private readonly windowMs: number;
  private readonly memory = new Map<string, { count: number; resetAt: number }>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
  ) {
    this.windowMs = config.AUTH_SIGN_IN_WINDOW_MINUTES * 60_000;
  }

  private keys(login: string, address: string): { key: string; limit: number }[] {
    const prefix = `${this.config.QUEUE_PREFIX}:sign-in`;
    // Hashed: the counters name neither the account nor the address in Redis.
    return [
      { key: `${prefix}:account:${sha256(login.trim().toLowerCase())}`, limit: this.config.AUTH_SIGN_IN_MAX_FAILURES },
      { key: `${prefix}:address:${sha256(address)}`, limit: this.config.AUTH_SIGN_IN_MAX_FAILURES_PER_ADDRESS },
    ];
  }

  /** Seconds to wait before trying again, or undefined when an attempt may be made now. */
  async retryAfter(login: string, address: string): Promise<number | undefined> {
    let wait = 0;
    for (const { key, limit } of this.keys(login, address)) {
      const { count, ttlMs } = await this.read(key);
      if (count >= limit) wait = Math.max(wait, Math.ceil(ttlMs / 1000));
    }
    return wait > 0 ? wait : undefined;
  }

  async failed(login: string, address: string): Promise<void> {
    for (const { key } of this.keys(login, address)) await this.increment(key);
  }

  /** A right password clears the account's count (not the address's: one good account must not cover guessing at others). */
  async succeeded(login: string, address: string): Promise<void> {
    const [account] = this.keys(login, address);
    this.memory.delete(account.key);
    await this.redis.del(account.key).catch(() => undefined);
  }

  private async read(key: string): Promise<{ count: number; ttlMs: number }> {
    try {
      const [[, count], [, ttl]] = (await this.redis.multi().get(key).pttl(key).exec()) as [[null, string | null], [null, number]];
      return { count: Number(count ?? 0), ttlMs: ttl > 0 ? ttl : this.windowMs };
    } catch {
      const entry = this.memory.get(key);
      if (!entry || entry.resetAt <= Date.now()) return { count: 0, ttlMs: 0 };
      return { count: entry.count, ttlMs: entry.resetAt - Date.now() };
    }
  }

  private async increment(key: string): Promise<void> {
    try {
      await this.redis.multi().incr(key).pexpire(key, this.windowMs, 'NX').exec();
    } catch (error) {
      this.logger.warn(`Redis unavailable (${(error as Error).message}): counting failed sign-ins in this process`);
      const entry = this.memory.get(key);
      if (!entry || entry.resetAt <= Date.now()) this.memory.set(key, { count: 1, resetAt: Date.now() + this.windowMs });
      else entry.count++;
    }
  }
}
