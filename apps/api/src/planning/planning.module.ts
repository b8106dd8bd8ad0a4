import { Module } from '@nestjs/common';
import { Planning } from '@planledger/application';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { GoalsController } from './goals.controller';
import { ProjectsController } from './projects.controller';
import { TasksController } from './tasks.controller';
import { TeamController } from './team.controller';

@Module({
  controllers: [ProjectsController, TeamController, GoalsController, TasksController],
  providers: [{ provide: Planning, inject: [EVENT_STORE], useFactory: (store: EventStore) => new Planning(store) }],
})
export class PlanningModule {}
