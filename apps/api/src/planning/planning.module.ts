import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AggregateCache, Planning } from '@planledger/application';
import type { PlanLedgerConfig } from '@planledger/config';
import { PLANLEDGER_CONFIG } from '@planledger/runtime';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { GoalsController } from './goals.controller';
import { PLANNING_COMMAND_HANDLERS } from './planning.commands';
import { ProjectsController } from './projects.controller';
import { TasksController } from './tasks.controller';
import { TeamController } from './team.controller';

@Module({
  imports: [CqrsModule],
  controllers: [ProjectsController, TeamController, GoalsController, TasksController],
  providers: [
    {
      provide: Planning,
      inject: [EVENT_STORE, PLANLEDGER_CONFIG],
      useFactory: (store: EventStore, config: PlanLedgerConfig) => new Planning(store, new AggregateCache(config.AGGREGATE_CACHE_SIZE)),
    },
    ...PLANNING_COMMAND_HANDLERS,
  ],
})
export class PlanningModule {}
