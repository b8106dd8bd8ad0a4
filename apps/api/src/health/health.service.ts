import { Inject, Injectable, Optional } from '@nestjs/common';
import { redactUrl, type PlanLedgerConfig } from '@planledger/config';
import type { HealthReport } from '@planledger/contracts';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { projectionLag } from '@planledger/application';
import type { ReadModelStore } from '@planledger/projections';
import { PLANLEDGER_CONFIG, PLANLEDGER_VERSION, READ_MODELS, REDIS, SupervisedLoops } from '@planledger/runtime';
import type { Redis } from 'ioredis';

const CHECK_TIMEOUT_MS = 2000;
const startedAt = Date.now();

@Injectable()
export class HealthService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
    @Inject(READ_MODELS) private readonly models: ReadModelStore,
    /** Present when this process runs the worker's loops (WORKER_IN_PROCESS). */
    @Optional() private readonly loops?: SupervisedLoops,
  ) {}

  /** Whether this process can serve: the store answers and no background loop is stuck. */
  async ready(): Promise<{ ready: boolean; reasons: string[] }> {
    const eventStore = await timed(() => this.store.ping());
    const reasons: string[] = [];
    // Public: the reason without the driver's message (which may name hosts); /health tells admins more.
    if (eventStore.status === 'down') reasons.push('the event store is unreachable');
    const loops = this.loops?.report();
    if (loops?.status === 'down') {
      const stuck = loops.loops.filter((l) => l.status === 'retrying').map((l) => `${l.name} (${l.lastError?.class ?? 'error'})`);
      reasons.push(`background loops retrying too long: ${stuck.join(', ')}`);
    }
    return { ready: reasons.length === 0, reasons };
  }

  async report(): Promise<HealthReport> {
    const [eventStore, redis] = await Promise.all([timed(() => this.store.ping()), timed(() => this.redis.ping())]);
    // Read-model lag only when the store answers; a lagging view never makes the API unhealthy.
    const projections = eventStore.status === 'up' ? await projectionLag(this.store, this.models).catch(() => undefined) : undefined;
    const loops = this.loops?.report();
    return {
      status:
        eventStore.status === 'down' || loops?.status === 'down'
          ? 'down'
          : redis.status === 'down' || loops?.status === 'degraded'
            ? 'degraded'
            : 'ok',
      version: PLANLEDGER_VERSION,
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
      checks: {
        eventStore: { ...eventStore, adapter: this.store.info.adapter, location: this.store.info.location },
        redis: { ...redis, url: redactUrl(this.config.REDIS_URL) },
        ...(projections ? { projections } : {}),
        ...(loops ? { loops: loops.loops } : {}),
      },
    };
  }
}

async function timed(check: () => Promise<unknown>): Promise<{ status: 'up' | 'down'; latencyMs?: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { status: 'down', error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
