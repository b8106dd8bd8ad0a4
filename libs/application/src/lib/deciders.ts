import type { GoalEvent, ProjectEvent, StrategyEvent, TaskEvent, TeamEvent } from '@planledger/contracts';
import {
  driftDecider as domainDriftDecider,
  type CheckDrift,
  type DriftContext,
  type DriftEvent,
  type DriftStreamState,
  decideGoal,
  decideStrategy,
  evolveStrategy,
  initialStrategyState,
  type StrategyCommand,
  type StrategyContext,
  type StrategyState,
  decideProject,
  decideTask,
  decideTeam,
  evolveGoal,
  evolveProject,
  evolveTask,
  evolveTeam,
  foldGoal,
  initialGoalState,
  initialProjectState,
  initialTaskState,
  initialTeamState,
  type GoalCommand,
  type GoalContext,
  type GoalState,
  type ProjectCommand,
  type ProjectState,
  type TaskCommand,
  type TaskContext,
  type TaskState,
  type TeamCommand,
  type TeamContext,
  type TeamState,
} from '@planledger/domain';
import type { Decider } from './command-handler';

/** The application's view of each aggregate's decider. */
export const projectDecider: Decider<ProjectState, ProjectEvent, ProjectCommand, undefined> = {
  initialState: initialProjectState,
  evolve: evolveProject,
  decide: (command, state) => decideProject(command, state),
};
export const goalDecider: Decider<GoalState, GoalEvent, GoalCommand, GoalContext> = {
  initialState: initialGoalState,
  evolve: evolveGoal,
  fold: foldGoal,
  decide: decideGoal,
};

export const driftDecider: Decider<DriftStreamState, DriftEvent, CheckDrift, DriftContext> = domainDriftDecider;

export const teamDecider: Decider<TeamState, TeamEvent, TeamCommand, TeamContext> = {
  initialState: initialTeamState,
  evolve: evolveTeam,
  decide: decideTeam,
};

export const taskDecider: Decider<TaskState, TaskEvent, TaskCommand, TaskContext> = {
  initialState: initialTaskState,
  evolve: evolveTask,
  decide: decideTask,
};

export const strategyDecider: Decider<StrategyState, StrategyEvent, StrategyCommand, StrategyContext> = {
  initialState: initialStrategyState,
  evolve: evolveStrategy,
  decide: decideStrategy,
};
