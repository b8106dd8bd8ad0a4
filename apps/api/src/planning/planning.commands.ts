import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Planning, type CommandResult, type RequestMetadata } from '@planledger/application';
import type { GoalDefinition, ProjectCharter, ProjectOutcome, TaskPlan } from '@planledger/contracts';

// Thin glue between controllers and the application's use cases: one typed command per use
// case family, one handler each that calls Planning. No AggregateRoot and no stored events
// routed through the EventBus: the event store is the only place events go.

type GoalChange = Parameters<Planning['changeGoal']>[1];
type TeamChange = Parameters<Planning['changeTeam']>[1];
type TaskChange = Parameters<Planning['changeTask']>[1];

export class OpenProjectCommand extends Command<CommandResult> {
  constructor(
    readonly projectId: string,
    readonly charter: ProjectCharter,
    readonly meta: RequestMetadata,
  ) {
    super();
  }
}
export class AmendProjectCharterCommand extends Command<CommandResult> {
  constructor(
    readonly projectId: string,
    readonly changes: Partial<ProjectCharter>,
    readonly reason: string,
    readonly meta: RequestMetadata,
    readonly ifMatch?: number,
  ) {
    super();
  }
}
export class CloseProjectCommand extends Command<CommandResult> {
  constructor(
    readonly projectId: string,
    readonly reason: string,
    readonly meta: RequestMetadata,
    readonly ifMatch?: number,
    readonly outcome?: ProjectOutcome,
  ) {
    super();
  }
}
export class SetGoalCommand extends Command<CommandResult> {
  constructor(
    readonly projectId: string,
    readonly goalId: string,
    readonly definition: GoalDefinition,
    readonly meta: RequestMetadata,
  ) {
    super();
  }
}
export class ChangeGoalCommand extends Command<CommandResult> {
  constructor(
    readonly goalId: string,
    readonly change: GoalChange,
    readonly meta: RequestMetadata,
    readonly ifMatch?: number,
  ) {
    super();
  }
}
export class ChangeTeamCommand extends Command<CommandResult> {
  constructor(
    readonly projectId: string,
    readonly change: TeamChange,
    readonly meta: RequestMetadata,
    readonly ifMatch?: number,
  ) {
    super();
  }
}
export class PlanTaskCommand extends Command<CommandResult> {
  constructor(
    readonly projectId: string,
    readonly taskId: string,
    readonly plan: TaskPlan,
    readonly meta: RequestMetadata,
  ) {
    super();
  }
}
export class ChangeTaskCommand extends Command<CommandResult> {
  constructor(
    readonly taskId: string,
    readonly change: TaskChange,
    readonly meta: RequestMetadata,
    readonly ifMatch?: number,
  ) {
    super();
  }
}

@CommandHandler(OpenProjectCommand)
export class OpenProjectHandler implements ICommandHandler<OpenProjectCommand> {
  constructor(private readonly planning: Planning) {}
  execute(c: OpenProjectCommand) {
    return this.planning.openProject(c.projectId, c.charter, c.meta);
  }
}
@CommandHandler(AmendProjectCharterCommand)
export class AmendProjectCharterHandler implements ICommandHandler<AmendProjectCharterCommand> {
  constructor(private readonly planning: Planning) {}
  execute(c: AmendProjectCharterCommand) {
    return this.planning.amendProjectCharter(c.projectId, c.changes, c.reason, c.meta, c.ifMatch);
  }
}
@CommandHandler(CloseProjectCommand)
export class CloseProjectHandler implements ICommandHandler<CloseProjectCommand> {
  constructor(private readonly planning: Planning) {}
  execute(c: CloseProjectCommand) {
    return this.planning.closeProject(c.projectId, c.reason, c.meta, c.ifMatch, c.outcome);
  }
}
@CommandHandler(SetGoalCommand)
export class SetGoalHandler implements ICommandHandler<SetGoalCommand> {
  constructor(private readonly planning: Planning) {}
  execute(c: SetGoalCommand) {
    return this.planning.setGoal(c.projectId, c.goalId, c.definition, c.meta);
  }
}
@CommandHandler(ChangeGoalCommand)
export class ChangeGoalHandler implements ICommandHandler<ChangeGoalCommand> {
  constructor(private readonly planning: Planning) {}
  execute(c: ChangeGoalCommand) {
    return this.planning.changeGoal(c.goalId, c.change, c.meta, c.ifMatch);
  }
}
@CommandHandler(ChangeTeamCommand)
export class ChangeTeamHandler implements ICommandHandler<ChangeTeamCommand> {
  constructor(private readonly planning: Planning) {}
  execute(c: ChangeTeamCommand) {
    return this.planning.changeTeam(c.projectId, c.change, c.meta, c.ifMatch);
  }
}
@CommandHandler(PlanTaskCommand)
export class PlanTaskHandler implements ICommandHandler<PlanTaskCommand> {
  constructor(private readonly planning: Planning) {}
  execute(c: PlanTaskCommand) {
    return this.planning.planTask(c.projectId, c.taskId, c.plan, c.meta);
  }
}
@CommandHandler(ChangeTaskCommand)
export class ChangeTaskHandler implements ICommandHandler<ChangeTaskCommand> {
  constructor(private readonly planning: Planning) {}
  execute(c: ChangeTaskCommand) {
    return this.planning.changeTask(c.taskId, c.change, c.meta, c.ifMatch);
  }
}

export const PLANNING_COMMAND_HANDLERS = [
  OpenProjectHandler,
  AmendProjectCharterHandler,
  CloseProjectHandler,
  SetGoalHandler,
  ChangeGoalHandler,
  ChangeTeamHandler,
  PlanTaskHandler,
  ChangeTaskHandler,
];
