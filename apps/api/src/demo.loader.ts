import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { loadDemo } from '@planledger/application';
import type { PlanLedgerConfig } from '@planledger/config';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { PLANLEDGER_CONFIG } from '@planledger/runtime';

/** On the embedded store's first start, fills the empty store with the demo project. */
@Injectable()
export class DemoLoader implements OnApplicationBootstrap {
  private readonly logger = new Logger('Demo');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.DEMO_ON_FIRST_START || (await this.store.headPosition()) !== undefined) return;
    const started = Date.now();
    const projectId = await loadDemo(this.store, new Date(), (step) => this.logger.log(`Loading the demo project: ${step}`));
    this.logger.log(
      `Demo project loaded in ${Date.now() - started} ms: GET /projects/${projectId} (set DEMO_ON_FIRST_START=false to start empty)`,
    );
  }
}
