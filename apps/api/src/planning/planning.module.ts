import { Module } from '@nestjs/common';
import { Planning } from '@planledger/application';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { GoalsController } from './goals.controller';
import { ProjectsController } from './projects.controller';

@Module({
  controllers: [ProjectsController, GoalsController],
  providers: [{ provide: Planning, inject: [EVENT_STORE], useFactory: (store: EventStore) => new Planning(store) }],
})
export class PlanningModule {}
