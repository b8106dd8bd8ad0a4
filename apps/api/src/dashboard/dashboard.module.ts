import { Module } from '@nestjs/common';
import { AggregateCache, Boards, Planning, ProjectLife, Progress } from '@planledger/application';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import type { ReadModelStore } from '@planledger/projections';
import { READ_MODELS } from '@planledger/runtime';
import { WorkController } from './work.controller';

/** Reads the dashboard needs across projects: a person's own work and search. */
@Module({
  controllers: [WorkController],
  // Planning, Access and the aggregate cache come from the global SecurityModule.
  providers: [
    {
      provide: Progress,
      inject: [READ_MODELS, EVENT_STORE],
      useFactory: (models: ReadModelStore, store: EventStore) => new Progress(models, store),
    },
    {
      provide: Boards,
      inject: [READ_MODELS, EVENT_STORE, Progress],
      useFactory: (models: ReadModelStore, store: EventStore, progress: Progress) => new Boards(models, store, progress),
    },
    {
      provide: ProjectLife,
      inject: [EVENT_STORE, Planning, AggregateCache],
      useFactory: (store: EventStore, planning: Planning, cache: AggregateCache) => new ProjectLife(store, planning, cache),
    },
  ],
})
export class DashboardModule {}
