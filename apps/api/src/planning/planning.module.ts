import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { GoalsController } from './goals.controller';
import { PLANNING_COMMAND_HANDLERS } from './planning.commands';
import { ProjectsController } from './projects.controller';
import { TasksController } from './tasks.controller';
import { TeamController } from './team.controller';

@Module({
  imports: [CqrsModule],
  controllers: [ProjectsController, TeamController, GoalsController, TasksController],
  // Planning comes from the global SecurityModule, which shares it with the AccessGuard.
  providers: [...PLANNING_COMMAND_HANDLERS],
})
export class PlanningModule {}
