import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { LAG_COUNT_LIMIT, projectionLag } from '@planledger/application';
import { countEvents, EVENT_STORE, type EventStore } from '@planledger/event-store';

const ALERT_COUNT_LIMIT = 100_000;
import type { ReadModelStore } from '@planledger/projections';
import { AlertQueues, READ_MODELS } from '@planledger/runtime';
import { ALERT_EVENT_TYPES } from '@planledger/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Response } from 'express';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { Public } from '../security/principal';
import { signInRegistry } from '../auth/sign-in-throttle';

/** Prometheus metrics: the process, and each read model's lag, counted when scraped. */
@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  private readonly registry = new Registry();

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(READ_MODELS) models: ReadModelStore, queues: AlertQueues) {
    collectDefaultMetrics({ register: this.registry, prefix: 'planledger_' });
    // One lag read per scrape, shared by the three gauges.
    let scrape: Promise<Awaited<ReturnType<typeof projectionLag>>> | undefined;
    const lag = () => (scrape ??= projectionLag(store, models).finally(() => setImmediate(() => (scrape = undefined))));
    const gauge = (name: string, help: string, value: (row: Awaited<ReturnType<typeof projectionLag>>[number]) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['projection'],
        registers: [this.registry],
        async collect() {
          for (const row of await lag()) this.set({ projection: row.name }, value(row));
        },
      });
    gauge(
      'planledger_projection_pending_events',
      `Events a read model has still to apply (counted up to ${LAG_COUNT_LIMIT})`,
      (row) => row.pending,
    );
    gauge('planledger_projection_applied_events', 'Events a read model has applied since it was (re)built', (row) => row.applied);
    gauge('planledger_projection_dead_letters', 'Events a read model could not apply', (row) => row.deadLetters);

    // Jobs per queue and state; Redis down leaves the gauge empty rather than holding the scrape.
    new Gauge({
      name: 'planledger_jobs',
      help: 'Jobs in each queue by state (waiting, delayed, active, completed, failed): the depth and the failures',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const counts = await Promise.race([queues.counts(), sleep(1000).then(() => undefined)]).catch(() => undefined);
        for (const [queue, states] of Object.entries(counts ?? {}))
          for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      },
    });
    new Gauge({
      name: 'planledger_alerts',
      help: `Alert events in the log by type (counted up to ${ALERT_COUNT_LIMIT})`,
      labelNames: ['type'],
      registers: [this.registry],
      async collect() {
        const counts = await Promise.all(
          ALERT_EVENT_TYPES.map(async (type) => [type, await countEvents(store, { types: [type], limit: ALERT_COUNT_LIMIT })] as const),
        );
        for (const [type, n] of counts) this.set({ type }, n);
      },
    });
  }

  @Get()
  @ApiOperation({
    summary:
      'Prometheus metrics: process figures, each read model’s pending events, applied events and dead letters, jobs per queue and state, and alert counts',
  })
  @ApiProduces('text/plain')
  async metrics(@Res() response: Response): Promise<void> {
    response.setHeader('Content-Type', this.registry.contentType);
    response.send(`${await this.registry.metrics()}\n${await signInRegistry.metrics()}`);
  }
}
