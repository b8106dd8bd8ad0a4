import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { LAG_COUNT_LIMIT, projectionLag } from '@planledger/application';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import type { ReadModelStore } from '@planledger/projections';
import { READ_MODELS } from '@planledger/runtime';
import type { Response } from 'express';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { Public } from '../security/principal';

/** Prometheus metrics: the process, and each read model's lag, counted when scraped. */
@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  private readonly registry = new Registry();

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(READ_MODELS) models: ReadModelStore) {
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
    gauge('planledger_projection_pending_events', `Events a read model has still to apply (counted up to ${LAG_COUNT_LIMIT})`, (row) => row.pending);
    gauge('planledger_projection_applied_events', 'Events a read model has applied since it was (re)built', (row) => row.applied);
    gauge('planledger_projection_dead_letters', 'Events a read model could not apply', (row) => row.deadLetters);
  }

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics: process figures and each read model’s pending events, applied events and dead letters' })
  @ApiProduces('text/plain')
  async metrics(@Res() response: Response): Promise<void> {
    response.setHeader('Content-Type', this.registry.contentType);
    response.send(await this.registry.metrics());
  }
}
