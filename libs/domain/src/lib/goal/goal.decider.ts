import type { GoalDefinition, GoalEvent, GoalOwner, Phasing, RollupRule, SmartAssessment } from '@planledger/contracts';
import { requireOpen, type ProjectState } from '../project/project.decider';
import { dayIn, periodCount } from '../shared/calendar';
import { refuse, type CommandMetadata } from '../shared/domain-error';
import { assessSmart, failedCriteria } from './smart.policy';
import type { DriftState } from './drift.policy';
import { rollupOf } from './goal-figures';

export interface RecordedActual {
  value: number;
  businessDate: string;
  source: string;
  externalRef?: string;
}

export interface GoalState {
  status: 'none' | 'active' | 'withdrawn';
  goalId?: string;
  projectId?: string;
  definition?: GoalDefinition;
  smart?: SmartAssessment;
  actuals: ReadonlyMap<string, RecordedActual>;
  externalRefs: ReadonlySet<string>;
  /**
   * The drift state recorded in the goal's own stream by checks made before drift had a stream of
   * its own (see drift.decider); absent: none recorded there.
   */
  drift?: DriftState;
}

export const initialGoalState: GoalState = { status: 'none', actuals: new Map(), externalRefs: new Set() };

/** What a goal command needs to know beyond the goal's own stream, loaded by the application. */
export interface GoalContext {
  project: ProjectState;
  /** The parent goal's state, for a goal that has (or is being given) a parent. */
  parent?: GoalState;
  /** Ids of the project's current members: a member-owned goal needs one of them. */
  currentMemberIds: ReadonlySet<string>;
  /** Best results of earlier goals with the same KPI, newest first, for the achievability check. */
  similarGoalResults: readonly number[];
  /** How many active child goals the goal has: a goal that rolls them up takes no actuals of its own. */
  activeChildCount?: number;
}

type Cmd<T extends string, D> = { type: T; data: D & { goalId: string }; metadata: CommandMetadata };
export type SetGoal = Cmd<'SetGoal', GoalDefinition & { projectId: string }>;
export type AdjustGoalTarget = Cmd<'AdjustGoalTarget', { target: number; reason: string }>;
export type MoveGoalDeadline = Cmd<'MoveGoalDeadline', { deadline: string; reason: string }>;
export type ChangeGoalOwner = Cmd<'ChangeGoalOwner', { owner: GoalOwner; reason: string }>;
export type RephaseGoal = Cmd<'RephaseGoal', { phasing: Phasing; reason: string }>;
export type ChangeGoalRollup = Cmd<'ChangeGoalRollup', { rollup: RollupRule; reason: string }>;
export type WithdrawGoal = Cmd<'WithdrawGoal', { reason: string }>;
export interface ActualInput {
  actualId: string;
  value: number;
  businessDate: string;
  source: string;
  externalRef?: string;
}
/**
 * One actual. `surveyScale` says it comes from the project's survey (the aggregate score of that
 * scale) rather than from the goal's owner or a manager: only a goal whose `surveyFeed` declares
 * that scale takes it.
 */
export type RecordActual = Cmd<'RecordActual', ActualInput & { surveyScale?: 'csat' | 'nps' }>;
export type RecordActuals = Cmd<'RecordActuals', { actuals: ActualInput[] }>;
export type CorrectActual = Cmd<'CorrectActual', { actualId: string; value: number; reason: string }>;
export type LinkGoalStrategy = Cmd<'LinkGoalStrategy', { strategyRefs: string[]; reason: string }>;
export type GoalCommand =
  | SetGoal
  | AdjustGoalTarget
  | MoveGoalDeadline
  | ChangeGoalOwner
  | RephaseGoal
  | ChangeGoalRollup
  | WithdrawGoal
  | RecordActual
  | RecordActuals
  | CorrectActual
  | LinkGoalStrategy;

/** Applies one event; pure (the given state is never changed). */
export function evolveGoal(state: GoalState, event: GoalEvent): GoalState {
  return foldGoal(state, [event]);
}

/**
 * Applies events in order. The actuals map and reference set are copied once per fold, not once
 * per event, so loading a goal with thousands of actuals stays linear. Pure from the outside.
 */
export function foldGoal(state: GoalState, events: readonly GoalEvent[]): GoalState {
  let current = state;
  let actuals: Map<string, RecordedActual> | undefined;
  let externalRefs: Set<string> | undefined;
  for (const event of events) {
    switch (event.type) {
      case 'GoalSet': {
        const { goalId, projectId, smart, ...definition } = event.data;
        actuals = new Map();
        externalRefs = new Set();
        current = { status: 'active', goalId, projectId, definition, smart, actuals, externalRefs };
        break;
      }
      case 'GoalTargetAdjusted':
        current = withDefinition(current, { target: event.data.after });
        break;
      case 'GoalDeadlineMoved':
        current = withDefinition(current, { deadline: event.data.after });
        break;
      case 'GoalOwnerChanged':
        current = withDefinition(current, { owner: event.data.after });
        break;
      case 'GoalRephased':
        current = withDefinition(current, { phasing: event.data.after });
        break;
      case 'GoalRollupChanged':
        current = withDefinition(current, { rollup: event.data.after });
        break;
      case 'GoalWithdrawn':
        current = { ...current, status: 'withdrawn' };
        break;
      case 'ActualRecorded': {
        const { actualId, value, businessDate, source, externalRef } = event.data;
        actuals ??= new Map(current.actuals);
        externalRefs ??= new Set(current.externalRefs);
        actuals.set(actualId, { value, businessDate, source, ...(externalRef === undefined ? {} : { externalRef }) });
        if (externalRef !== undefined) externalRefs.add(externalRef);
        current = { ...current, actuals, externalRefs };
        break;
      }
      case 'ActualCorrected': {
        const previous = current.actuals.get(event.data.actualId);
        if (!previous) break;
        actuals ??= new Map(current.actuals);
        actuals.set(event.data.actualId, { ...previous, value: event.data.after });
        current = { ...current, actuals };
        break;
      }
      case 'KpiDriftDetected':
        current = { ...current, drift: event.data.to };
        break;
      case 'KpiBackOnTrack':
        current = { ...current, drift: 'on_track' };
        break;
      case 'GoalWentStale':
        current = { ...current, drift: 'stale' };
        break;
      case 'GoalStrategyLinked':
        current = withDefinition(current, { strategyRefs: event.data.after });
        break;
    }
  }
  return current;
}

export function setGoal(command: SetGoal, state: GoalState, context: GoalContext): GoalEvent[] {
  if (state.status !== 'none') refuse('GOAL_ALREADY_SET', `goal ${command.data.goalId} is already set`);
  const charter = requireOpen(context.project);
  const { goalId, projectId, ...definition } = command.data;
  checkTarget(definition.target, definition);
  if (projectId !== context.project.projectId)
    refuse('PROJECT_MISMATCH', `the goal names project ${projectId}, not ${context.project.projectId}`);
  const smart = assessSmart(definition, {
    projectPeriod: { start: charter.periodStart, end: charter.periodEnd },
    policy: charter.smartPolicy,
    similarGoalResults: context.similarGoalResults,
  });
  // Time-bound is structural: a goal outside the project period is never accepted, whatever the policy.
  if (!smart.timeBound.ok) refuse('GOAL_OUTSIDE_PROJECT_PERIOD', `the goal is not time-bound: ${smart.timeBound.reason}`);
  checkOwner(definition.owner, context);
  checkPhasing(definition.phasing, definition.startDate, definition.deadline);
  if (definition.parentGoalId !== undefined) checkParent(definition, projectId, context.parent);
  const failed = failedCriteria(smart);
  if (failed.length > 0 && charter.smartPolicy.onFailure === 'refuse') {
    refuse('GOAL_NOT_SMART', `the project refuses goals that fail the SMART check: ${failed.join('; ')}`);
  }
  return [{ type: 'GoalSet', data: { goalId, projectId, ...definition, smart } }];
}

export function adjustGoalTarget(command: AdjustGoalTarget, state: GoalState, context: GoalContext): GoalEvent[] {
  const goal = requireActive(state, context);
  checkTarget(command.data.target, goal);
  if (command.data.target === goal.target) refuse('NOTHING_TO_CHANGE', `the target is already ${goal.target}`);
  checkStillSmart({ ...goal, target: command.data.target }, context);
  return [
    {
      type: 'GoalTargetAdjusted',
      data: { goalId: command.data.goalId, before: goal.target, after: command.data.target, reason: command.data.reason },
    },
  ];
}

export function moveGoalDeadline(command: MoveGoalDeadline, state: GoalState, context: GoalContext): GoalEvent[] {
  const goal = requireActive(state, context);
  const charter = requireOpen(context.project);
  const deadline = command.data.deadline;
  if (deadline === goal.deadline) refuse('NOTHING_TO_CHANGE', `the deadline is already ${deadline}`);
  if (deadline < goal.startDate) refuse('DEADLINE_BEFORE_START', `the deadline ${deadline} is before the goal starts ${goal.startDate}`);
  if (deadline > charter.periodEnd)
    refuse('GOAL_OUTSIDE_PROJECT_PERIOD', `the deadline ${deadline} is after the project ends ${charter.periodEnd}`);
  const parent = context.parent?.definition;
  if (goal.parentGoalId && parent && deadline > parent.deadline) {
    refuse('CHILD_OUTSIDE_PARENT_PERIOD', `the deadline ${deadline} is after the parent goal's deadline ${parent.deadline}`);
  }
  if (goal.phasing.kind !== 'linear' && periodCount(goal.startDate, deadline, goal.phasing.kind) !== goal.phasing.weights.length) {
    refuse('PHASING_MISMATCH', `the goal is phased ${goal.phasing.kind}; rephase it for the new deadline first`);
  }
  checkStillSmart({ ...goal, deadline }, context);
  return [
    {
      type: 'GoalDeadlineMoved',
      data: { goalId: command.data.goalId, before: goal.deadline, after: deadline, reason: command.data.reason },
    },
  ];
}

export function changeGoalOwner(command: ChangeGoalOwner, state: GoalState, context: GoalContext): GoalEvent[] {
  const goal = requireActive(state, context);
  if (JSON.stringify(command.data.owner) === JSON.stringify(goal.owner)) refuse('NOTHING_TO_CHANGE', 'the goal already has this owner');
  checkOwner(command.data.owner, context);
  return [
    {
      type: 'GoalOwnerChanged',
      data: { goalId: command.data.goalId, before: goal.owner, after: command.data.owner, reason: command.data.reason },
    },
  ];
}

export function rephaseGoal(command: RephaseGoal, state: GoalState, context: GoalContext): GoalEvent[] {
  const goal = requireActive(state, context);
  if (JSON.stringify(command.data.phasing) === JSON.stringify(goal.phasing))
    refuse('NOTHING_TO_CHANGE', 'the goal already has this phasing');
  checkPhasing(command.data.phasing, goal.startDate, goal.deadline);
  return [
    {
      type: 'GoalRephased',
      data: { goalId: command.data.goalId, before: goal.phasing, after: command.data.phasing, reason: command.data.reason },
    },
  ];
}

/** Declares how the goal rolls up its child goals from now on; an event with a reason, like every change of plan. */
export function changeGoalRollup(command: ChangeGoalRollup, state: GoalState, context: GoalContext): GoalEvent[] {
  const goal = requireActive(state, context);
  const before = rollupOf(goal);
  if (before === command.data.rollup) refuse('NOTHING_TO_CHANGE', `the goal already rolls up by ${before}`);
  return [
    {
      type: 'GoalRollupChanged',
      data: { goalId: command.data.goalId, before, after: command.data.rollup, reason: command.data.reason },
    },
  ];
}

export function withdrawGoal(command: WithdrawGoal, state: GoalState, context: GoalContext): GoalEvent[] {
  requireActive(state, context);
  return [{ type: 'GoalWithdrawn', data: { goalId: command.data.goalId, reason: command.data.reason } }];
}

export function recordActual(command: RecordActual, state: GoalState, context: GoalContext): GoalEvent[] {
  const { surveyScale, goalId, ...actual } = command.data;
  if (surveyScale !== undefined) {
    const goal = requireActive(state, context);
    if (goal.surveyFeed !== surveyScale)
      refuse(
        'GOAL_TAKES_NO_SURVEY_SCORE',
        `goal ${goalId} does not take the ${surveyScale.toUpperCase()} survey score as its actual (a manager sets surveyFeed: ${surveyScale} on the goal for that)`,
      );
  }
  return recordActuals({ type: 'RecordActuals', data: { goalId, actuals: [actual] }, metadata: command.metadata }, state, context, false);
}

/**
 * A feed's batch: every actual the goal does not know yet (by id or source reference, within the
 * batch too) is recorded; one that breaks a rule refuses the whole batch, naming its row.
 */
export function recordActuals(command: RecordActuals, state: GoalState, context: GoalContext, nameRows = true): GoalEvent[] {
  const goal = requireActive(state, context);
  if ((context.activeChildCount ?? 0) > 0 && rollupOf(goal) !== 'none') {
    refuse(
      'ACTUAL_ON_ROLLED_UP_GOAL',
      `goal ${command.data.goalId} takes its figures from its ${context.activeChildCount} child goals (rollup ${rollupOf(goal)}); record the actual on a child goal, or change the goal's rollup to none`,
    );
  }
  // "Today" is the project's: in Asia/Shanghai a deal closed at 07:00 is today's, whatever UTC says.
  const today = dayIn(command.metadata.now, context.project.charter?.timeZone ?? 'UTC');
  const ids = new Set(state.actuals.keys());
  const refs = new Set(state.externalRefs);
  const events: GoalEvent[] = [];
  command.data.actuals.forEach(({ actualId, externalRef, ...actual }, row) => {
    // Feeds resend: the same record (by its source reference or our id) is recorded once.
    if (ids.has(actualId) || (externalRef !== undefined && refs.has(externalRef))) return;
    const at = nameRows ? `actuals[${row}]: ` : '';
    if (actual.businessDate < goal.startDate || actual.businessDate > goal.deadline) {
      refuse(
        'ACTUAL_OUTSIDE_GOAL_PERIOD',
        `${at}the business date ${actual.businessDate} is outside the goal's period ${goal.startDate}–${goal.deadline}`,
      );
    }
    if (actual.businessDate > today) refuse('ACTUAL_IN_THE_FUTURE', `${at}the business date ${actual.businessDate} has not happened yet`);
    ids.add(actualId);
    if (externalRef !== undefined) refs.add(externalRef);
    events.push({
      type: 'ActualRecorded',
      data: { goalId: command.data.goalId, actualId, ...actual, ...(externalRef === undefined ? {} : { externalRef }) },
    });
  });
  return events;
}

export function correctActual(command: CorrectActual, state: GoalState, context: GoalContext): GoalEvent[] {
  requireActive(state, context);
  const previous = state.actuals.get(command.data.actualId);
  if (!previous) refuse('ACTUAL_NOT_FOUND', `goal ${command.data.goalId} has no actual ${command.data.actualId}`);
  if (previous.value === command.data.value) refuse('NOTHING_TO_CHANGE', `actual ${command.data.actualId} is already ${previous.value}`);
  return [
    {
      type: 'ActualCorrected',
      data: {
        goalId: command.data.goalId,
        actualId: command.data.actualId,
        before: previous.value,
        after: command.data.value,
        reason: command.data.reason,
      },
    },
  ];
}

export function decideGoal(command: GoalCommand, state: GoalState, context: GoalContext): GoalEvent[] {
  switch (command.type) {
    case 'SetGoal':
      return setGoal(command, state, context);
    case 'AdjustGoalTarget':
      return adjustGoalTarget(command, state, context);
    case 'MoveGoalDeadline':
      return moveGoalDeadline(command, state, context);
    case 'ChangeGoalOwner':
      return changeGoalOwner(command, state, context);
    case 'RephaseGoal':
      return rephaseGoal(command, state, context);
    case 'ChangeGoalRollup':
      return changeGoalRollup(command, state, context);
    case 'WithdrawGoal':
      return withdrawGoal(command, state, context);
    case 'RecordActual':
      return recordActual(command, state, context);
    case 'RecordActuals':
      return recordActuals(command, state, context);
    case 'CorrectActual':
      return correctActual(command, state, context);
    case 'LinkGoalStrategy':
      return linkGoalStrategy(command, state, context);
    default: {
      const unknown: never = command;
      return refuse('UNKNOWN_COMMAND', `unknown goal command ${(unknown as { type: string }).type}`);
    }
  }
}

/**
 * Relinks the goal to the strategy elements it serves, with a reason. Whether the elements exist
 * in the project's strategy is the application's check, as for a new goal.
 */
export function linkGoalStrategy(command: LinkGoalStrategy, state: GoalState, context: GoalContext): GoalEvent[] {
  const goal = requireActive(state, context);
  const before = goal.strategyRefs ?? [];
  const after = [...new Set(command.data.strategyRefs)];
  if (before.length === after.length && before.every((id) => after.includes(id)))
    refuse('NOTHING_TO_CHANGE', `goal ${command.data.goalId} already serves exactly these strategy elements`);
  return [{ type: 'GoalStrategyLinked', data: { goalId: command.data.goalId, before, after, reason: command.data.reason } }];
}

function withDefinition(state: GoalState, change: Partial<GoalDefinition>): GoalState {
  return { ...state, definition: { ...(state.definition as GoalDefinition), ...change } };
}

function requireActive(state: GoalState, context: GoalContext): GoalDefinition {
  if (state.status === 'none' || !state.definition) refuse('GOAL_NOT_FOUND', 'the goal does not exist');
  requireOpen(context.project);
  if (state.status === 'withdrawn') refuse('GOAL_WITHDRAWN', `goal ${state.goalId} was withdrawn and accepts no changes`);
  return state.definition;
}

/**
 * The SMART assessment the goal's current definition earns, under the project's current policy:
 * what every view shows (the assessment stored with GoalSet is the one it earned when set).
 */
export function currentSmart(
  state: GoalState,
  project: ProjectState,
  similarGoalResults: readonly number[] = [],
): SmartAssessment | undefined {
  if (!state.definition || !project.charter) return state.smart;
  return assessSmart(state.definition, {
    projectPeriod: { start: project.charter.periodStart, end: project.charter.periodEnd },
    policy: project.charter.smartPolicy,
    similarGoalResults,
  });
}

/** Under a project that refuses goals failing the SMART check, a change may not make the goal fail it. */
function checkStillSmart(definition: GoalDefinition, context: GoalContext): void {
  const charter = context.project.charter;
  if (!charter || charter.smartPolicy.onFailure !== 'refuse') return;
  const failed = failedCriteria(
    assessSmart(definition, {
      projectPeriod: { start: charter.periodStart, end: charter.periodEnd },
      policy: charter.smartPolicy,
      similarGoalResults: context.similarGoalResults,
    }),
  );
  if (failed.length > 0) refuse('GOAL_NOT_SMART', `the project refuses goals that fail the SMART check: ${failed.join('; ')}`);
}

/**
 * A target is positive; zero only where lower is better (no defects, no churn). A negative or zero
 * revenue target would read as "at 16316% of plan" on every page.
 */
function checkTarget(target: number, goal: Pick<GoalDefinition, 'kpi'>): void {
  const lower = goal.kpi.direction === 'lower_is_better';
  if (target > 0 || (lower && target === 0)) return;
  refuse(
    'TARGET_NOT_POSITIVE',
    lower ? `the target must be zero or more, not ${target}` : `the target must be more than zero, not ${target}`,
  );
}

function checkOwner(owner: GoalOwner, context: GoalContext): void {
  if (owner.kind === 'member' && !context.currentMemberIds.has(owner.memberId)) {
    refuse('OWNER_NOT_A_MEMBER', `${owner.memberId} is not a current member of the project`);
  }
}

const WEIGHT_SUM_TOLERANCE = 1e-6;

function checkPhasing(phasing: Phasing, startDate: string, deadline: string): void {
  if (phasing.kind === 'linear') return;
  const expected = periodCount(startDate, deadline, phasing.kind);
  if (phasing.weights.length !== expected) {
    refuse(
      'PHASING_MISMATCH',
      `${startDate}–${deadline} spans ${expected} ${phasing.kind === 'weekly' ? 'weeks' : 'months'}, but ${phasing.weights.length} weights were given`,
    );
  }
  const sum = phasing.weights.reduce((a, b) => a + b, 0);
  // Rounded: "0.8999999999999999" is float noise, not what the user typed.
  if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE)
    refuse('PHASING_WEIGHTS_SUM', `the phasing weights sum to ${Math.round(sum * 1e6) / 1e6}, not 1`);
}

function checkParent(goal: GoalDefinition, projectId: string, parent: GoalState | undefined): void {
  if (!parent || parent.status === 'none' || !parent.definition)
    refuse('PARENT_GOAL_NOT_FOUND', `parent goal ${goal.parentGoalId} does not exist`);
  if (parent.status === 'withdrawn') refuse('PARENT_GOAL_WITHDRAWN', `parent goal ${goal.parentGoalId} was withdrawn`);
  if (parent.projectId !== projectId) refuse('PARENT_GOAL_IN_OTHER_PROJECT', `parent goal ${goal.parentGoalId} belongs to another project`);
  const p = parent.definition;
  if (p.kpi.unit !== goal.kpi.unit)
    refuse('CHILD_UNIT_MISMATCH', `the parent goal counts ${p.kpi.unit}, this goal counts ${goal.kpi.unit}`);
  if (goal.startDate < p.startDate || goal.deadline > p.deadline) {
    refuse(
      'CHILD_OUTSIDE_PARENT_PERIOD',
      `${goal.startDate}–${goal.deadline} is not inside the parent goal's period ${p.startDate}–${p.deadline}`,
    );
  }
}
