import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { PLANLEDGER_CONFIG, PLANLEDGER_VERSION, SupervisedLoops } from '@planledger/runtime';
import { createServer, type Server, type ServerResponse } from 'node:http';

const PING_TIMEOUT_MS = 2000;

/**
 * The worker's own health answers, on WORKER_HEALTH_PORT when set: `/health` (the store and every
 * background loop), `/health/live` (the process answers: restart it only when this fails) and
 * `/health/ready` (the store answers and no loop is stuck). The loops retry on their own, so a
 * database outage shows here as `retrying`, never as a dead process.
 */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerHealth');
  private server: Server | undefined;

  constructor(
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly loops: SupervisedLoops,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.WORKER_HEALTH_PORT;
    if (port === undefined) return;
    const server = createServer((request, response) => {
      void this.answer(request.url ?? '/', response).catch((error: Error) => send(response, 500, { error: error.message }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`Cannot answer health checks on ${this.config.HOST}:${port}: ${error.code ?? error.message}`)),
      );
      server.listen(port, this.config.HOST, () => resolve());
    });
    this.server = server;
    this.logger.log(`Health checks on http://${this.config.HOST}:${port}/health (live, ready)`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async answer(url: string, response: ServerResponse): Promise<void> {
    const path = url.split('?')[0];
    if (path === '/health/live') return send(response, 200, { status: 'live' });
    if (path !== '/health' && path !== '/health/ready')
      return send(response, 404, { code: 'NOT_FOUND', message: `${path} is not a health route` });
    const eventStore = await this.ping();
    const loops = this.loops.report();
    const down = eventStore.status === 'down' || loops.status === 'down';
    if (path === '/health/ready') {
      const reasons = [
        ...(eventStore.status === 'down' ? [`the event store is unreachable: ${eventStore.error}`] : []),
        ...(loops.status === 'down' ? ['background loops retrying too long'] : []),
      ];
      return send(response, down ? 503 : 200, { status: down ? 'not_ready' : 'ready', reasons });
    }
    send(response, down ? 503 : 200, {
      status: down ? 'down' : loops.status,
      version: PLANLEDGER_VERSION,
      checks: { eventStore: { ...eventStore, adapter: this.store.info.adapter, location: this.store.info.location }, loops: loops.loops },
    });
  }

  private async ping(): Promise<{ status: 'up' | 'down'; latencyMs?: number; error?: string }> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.store.ping(),
        new Promise(
          (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS)),
        ),
      ]);
      return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
