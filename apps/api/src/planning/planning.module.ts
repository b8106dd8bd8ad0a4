import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Planning } from '@planledger/application';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { GoalsController } from './goals.controller';
import { PLANNING_COMMAND_HANDLERS } from './planning.commands';
import { ProjectsController } from './projects.controller';
import { TasksController } from './tasks.controller';
import { TeamController } from './team.controller';

@Module({
  imports: [CqrsModule],
  controllers: [ProjectsController, TeamController, GoalsController, TasksController],
  providers: [{ provide: Planning, inject: [EVENT_STORE], useFactory: (store: EventStore) => new Planning(store) }, ...PLANNING_COMMAND_HANDLERS],
})
export class PlanningModule {}
