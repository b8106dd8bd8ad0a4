import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { GoalsController } from './goals.controller';
import { PLANNING_COMMAND_HANDLERS } from './planning.commands';
import { ProjectsController } from './projects.controller';
import { TasksController } from './tasks.controller';
import { TeamController } from './team.controller';
import { ProgressController } from './progress.controller';
import { BoardsController } from './boards.controller';
import { Boards, Progress } from '@planledger/application';
import { READ_MODELS } from '@planledger/runtime';
import type { ReadModelStore } from '@planledger/projections';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';

@Module({
  imports: [CqrsModule],
  controllers: [ProjectsController, TeamController, GoalsController, TasksController, ProgressController, BoardsController],
  // Planning comes from the global SecurityModule, which shares it with the AccessGuard.
  providers: [
    ...PLANNING_COMMAND_HANDLERS,
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
  ],
})
export class PlanningModule {}
