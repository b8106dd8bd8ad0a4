import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PROJECTIONS } from '@planledger/application';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { ProjectionRunner, type ReadModelStore } from '@planledger/projections';
import { READ_MODELS } from './event-store.module';

/** Runs every projection: catch-up, then live, until shutdown. */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private readonly stop = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly models: ReadModelStore,
  ) {}

  onApplicationBootstrap(): void {
    this.loops = PROJECTIONS.map((projection) => this.run(new ProjectionRunner(this.store, this.models, projection)));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await Promise.all(this.loops);
  }

  private async run(runner: ProjectionRunner<never>): Promise<void> {
    const started = Date.now();
    try {
      const applied = await runner.catchUp(undefined, this.stop.signal);
      this.logger.log(`${runner.id} caught up: ${applied} events in ${Date.now() - started} ms`);
      await runner.run(this.stop.signal);
    } catch (error) {
      if (this.stop.signal.aborted) return;
      this.logger.error(`${runner.id} stopped: ${(error as Error).message}`);
      // A projection that cannot go on is a worker that must be restarted by its supervisor.
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    }
  }
}
