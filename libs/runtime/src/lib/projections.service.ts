import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { PROJECTIONS } from '@planledger/application';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { ProjectionRunner, type ReadModelStore } from '@planledger/projections';
import { READ_MODELS } from './event-store.module';
import { SupervisedLoops } from './loops/supervised-loops';

/**
 * Runs every projection: catch-up, then live, until shutdown. A projection whose store fails is
 * retried with backoff from its checkpoint (the loops' supervisor); the process stays up.
 */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Projections');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly models: ReadModelStore,
    private readonly loops: SupervisedLoops,
  ) {}

  onApplicationBootstrap(): void {
    for (const projection of PROJECTIONS) {
      const runner = new ProjectionRunner(this.store, this.models, projection);
      let caughtUp = false;
      void this.loops.start(`projection ${runner.id}`, async ({ signal, progress }) => {
        if (!caughtUp) {
          const started = Date.now();
          const applied = await runner.catchUp(() => progress(), signal);
          progress();
          caughtUp = true;
          if (!signal.aborted) this.logger.log(`${runner.id} caught up: ${applied} events in ${Date.now() - started} ms`);
        }
        await runner.run(signal, () => progress());
      });
    }
  }
}
