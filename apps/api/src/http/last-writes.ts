import { Global, Inject, Injectable, Logger, Module, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { comparePositions, isPosition, type Position } from '@planledger/event-store';
import { PLANLEDGER_CONFIG, REDIS } from '@planledger/runtime';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { concatMap, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../security/principal';

const COMMAND_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** How long a person's last write is remembered: longer than any projection should lag. */
const REMEMBER_SECONDS = 600;
/** Principals remembered in this process while Redis is away (oldest forgotten first). */
const MEMORY_LIMIT = 10_000;

/**
 * Read-your-writes without asking: the position of each principal's last command, kept in Redis
 * (so every API replica knows it) and in this process, and taken as the `minPosition` of that
 * principal's next read-model reads when they name none (or an earlier one). A read then waits
 * (bounded, as with an explicit `minPosition`) until the projections have applied the write, on
 * whichever replica it lands. READ_OWN_WRITES=false turns it off.
 */
@Injectable()
export class LastWrites {
  private readonly logger = new Logger('LastWrites');
  private readonly memory = new Map<string, Position>();
  private redisDown = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
  ) {}

  /** The later of `asked` and the principal's own last write (undefined when neither). */
  async minPosition(request: AuthenticatedRequest, asked: string | undefined): Promise<string | undefined> {
    const subject = request.principal?.subject;
    if (!this.config.READ_OWN_WRITES || !subject) return asked;
    const own = await this.lastWrite(subject);
    if (!own) return asked;
    if (!asked || !isPosition(asked)) return asked ?? own;
    return comparePositions(own, asked) > 0 ? own : asked;
  }

  async remember(subject: string, position: Position): Promise<void> {
    const key = this.key(subject);
    const known = this.memory.get(key);
    if (!known || comparePositions(position, known) > 0) {
      this.memory.delete(key);
      this.memory.set(key, position);
      if (this.memory.size > MEMORY_LIMIT) this.memory.delete(this.memory.keys().next().value as string);
    }
    try {
      const stored = await this.redis.get(key);
      if (stored && isPosition(stored) && comparePositions(stored, position) >= 0) return;
      await this.redis.set(key, position, 'EX', REMEMBER_SECONDS);
      this.redisDown = false;
    } catch (error) {
      if (!this.redisDown) this.logger.warn(`Redis unavailable (${(error as Error).message}): last writes known to this replica only`);
      this.redisDown = true;
    }
  }

  private async lastWrite(subject: string): Promise<Position | undefined> {
    const key = this.key(subject);
    const local = this.memory.get(key);
    try {
      const stored = await this.redis.get(key);
      if (stored && isPosition(stored) && (!local || comparePositions(stored, local) > 0)) return stored;
    } catch {
      // Redis away: this replica's own knowledge is the best there is.
    }
    return local;
  }

  /** Hashed, so Redis never names a principal; under the installation's prefix. */
  private key(subject: string): string {
    return `${this.config.QUEUE_PREFIX}:last-write:${createHash('sha256').update(subject).digest('hex').slice(0, 32)}`;
  }
}

/** Remembers the position a successful command answers with, for its principal's next reads. */
@Injectable()
export class RememberLastWrite implements NestInterceptor {
  constructor(private readonly lastWrites: LastWrites) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!COMMAND_METHODS.has(request.method)) return next.handle();
    // Remembered before the answer leaves, so the principal's very next read (on any replica) knows it.
    return next.handle().pipe(
      concatMap(async (answer: unknown) => {
        const position = (answer as { position?: unknown } | undefined)?.position;
        const subject = request.principal?.subject;
        if (subject && isPosition(position)) await this.lastWrites.remember(subject, position);
        return answer;
      }),
    );
  }
}

/** LastWrites for every module's read endpoints; the interceptor is installed by the AppModule. */
@Global()
@Module({ providers: [LastWrites], exports: [LastWrites] })
export class LastWritesModule {}
