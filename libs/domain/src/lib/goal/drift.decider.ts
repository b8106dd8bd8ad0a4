import type { GoalEvent } from '@planledger/contracts';
import type { ProjectState } from '../project/project.decider';
import type { CommandMetadata } from '../shared/domain-error';
import { DEFAULT_DRIFT_SETTINGS, type DriftSettings, type DriftState } from './drift.policy';
import type { GoalState } from './goal.decider';
import { goalDrift, goalNodeOf, type GoalNode } from './goal-figures';

/**
 * A goal's drift state lives in a stream of its own beside the goal: the system's verdicts never
 * move the goal's revision, so a manager's If-Match races nobody but other people.
 */
export interface DriftStreamState {
  /** The state the last check recorded; absent: never recorded in this stream. */
  drift?: DriftState;
}
export const initialDriftStreamState: DriftStreamState = {};

export type DriftEvent = Extract<GoalEvent, { type: 'KpiDriftDetected' | 'KpiBackOnTrack' | 'GoalWentStale' }>;

export interface DriftContext {
  project: ProjectState;
  /** The goal judged, as its own stream has it. */
  goal: GoalState;
  /** Its descendants: a parent is judged on its roll-up. */
  descendants?: readonly GoalNode[];
  /** The day the goal was set where the project works (the grace period against staleness runs from it). */
  goalSetOn?: string;
}

export type CheckDrift = {
  type: 'CheckDrift';
  data: { goalId: string; asOf: string; settings?: DriftSettings };
  metadata: CommandMetadata;
};

export function evolveDriftStream(state: DriftStreamState, event: DriftEvent): DriftStreamState {
  switch (event.type) {
    case 'KpiDriftDetected':
      return { drift: event.data.to };
    case 'KpiBackOnTrack':
      return { drift: 'on_track' };
    case 'GoalWentStale':
      return { drift: 'stale' };
  }
}

/**
 * Judges an active goal on `asOf` with the drift policy (a parent on its roll-up) and records a
 * change of state, and only a change: the same check twice, or a duplicated job, appends nothing
 * the second time. A closed project's goals are history: nothing drifts any more.
 */
export function decideDrift(command: CheckDrift, state: DriftStreamState, context: DriftContext): DriftEvent[] {
  if (context.project.status !== 'open') return [];
  const node = goalNodeOf(context.goal);
  if (context.goal.status !== 'active' || !node) return [];
  // Goals whose verdicts were recorded in their own stream before it had a drift stream carry them there.
  const from: DriftState = state.drift ?? context.goal.drift ?? 'on_track';
  const { asOf, goalId, settings } = command.data;
  const judged = goalDrift([node, ...(context.descendants ?? [])], node.goalId, asOf, from, settings ?? DEFAULT_DRIFT_SETTINGS, {
    ...(context.goalSetOn ? { setOn: context.goalSetOn } : {}),
  });
  if (!judged || judged.state === from) return [];
  const numbers = {
    goalId,
    from,
    asOf,
    pace: judged.pace === null || Number.isFinite(judged.pace) ? judged.pace : null,
    expectedToDate: judged.expectedToDate,
    actualToDate: judged.actualToDate,
    trailingForecast: judged.trailingForecast,
    reason: judged.reason.slice(0, 500),
  };
  if (judged.state === 'on_track') return [{ type: 'KpiBackOnTrack', data: numbers }];
  if (judged.state === 'stale')
    return [{ type: 'GoalWentStale', data: { ...numbers, daysSinceLastActual: judged.daysSinceLastActual ?? 0 } }];
  return [{ type: 'KpiDriftDetected', data: { ...numbers, to: judged.state } }];
}

export const driftDecider = { initialState: initialDriftStreamState, evolve: evolveDriftStream, decide: decideDrift };
