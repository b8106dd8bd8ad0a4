import { Module } from '@nestjs/common';
import { AggregateCache, Planning, ProjectLife } from '@planledger/application';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { ProjectLifeController } from './project-life.controller';

@Module({
  controllers: [ProjectLifeController],
  // Planning and the aggregate cache come from the global SecurityModule.
  providers: [
    {
      provide: ProjectLife,
      inject: [EVENT_STORE, Planning, AggregateCache],
      useFactory: (store: EventStore, planning: Planning, cache: AggregateCache) => new ProjectLife(store, planning, cache),
    },
  ],
})
export class ProjectLifeModule {}
