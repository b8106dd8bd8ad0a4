import type { Attainment, Award, IncentiveRule, WrapUpEvent } from '@planledger/contracts';
import type { GoalState } from '../goal/goal.decider';
import { goalFigures, goalNodeOf, type GoalFigures, type GoalNode } from '../goal/goal-figures';
import type { ProjectState } from '../project/project.decider';
import { refuse, type CommandMetadata } from '../shared/domain-error';
import type { StrategyState } from '../strategy/strategy.decider';

/** A project's wrap-up: appraisals, lessons, the incentive scheme, training, and published evaluations. */
export interface WrapUpState {
  appraised: ReadonlySet<string>;
  lessons: ReadonlySet<string>;
  trainings: ReadonlySet<string>;
  scheme: readonly IncentiveRule[] | undefined;
  evaluations: number;
}
export const initialWrapUpState: WrapUpState = {
  appraised: new Set(),
  lessons: new Set(),
  trainings: new Set(),
  scheme: undefined,
  evaluations: 0,
};

export interface WrapUpContext {
  project: ProjectState;
  currentMemberIds: ReadonlySet<string>;
  strategy: StrategyState;
}

type Data<T extends WrapUpEvent['type']> = Extract<WrapUpEvent, { type: T }>['data'];
export type AppraiseMember = { type: 'AppraiseMember'; data: Data<'MemberAppraised'>; metadata: CommandMetadata };
export type RecordLesson = { type: 'RecordLesson'; data: Data<'LessonRecorded'>; metadata: CommandMetadata };
export type SetIncentiveScheme = { type: 'SetIncentiveScheme'; data: Data<'IncentiveSchemeSet'>; metadata: CommandMetadata };
export type PlanTraining = { type: 'PlanTraining'; data: Data<'TrainingPlanned'>; metadata: CommandMetadata };
export type PublishEvaluation = { type: 'PublishEvaluation'; data: Data<'EvaluationPublished'>; metadata: CommandMetadata };
export type WrapUpCommand = AppraiseMember | RecordLesson | SetIncentiveScheme | PlanTraining | PublishEvaluation;

export function evolveWrapUp(state: WrapUpState, event: WrapUpEvent): WrapUpState {
  switch (event.type) {
    case 'MemberAppraised':
      return { ...state, appraised: new Set(state.appraised).add(event.data.memberId) };
    case 'LessonRecorded':
      return { ...state, lessons: new Set(state.lessons).add(event.data.lessonId) };
    case 'IncentiveSchemeSet':
      return { ...state, scheme: event.data.rules };
    case 'TrainingPlanned':
      return { ...state, trainings: new Set(state.trainings).add(event.data.trainingId) };
    case 'EvaluationPublished':
      return { ...state, evaluations: state.evaluations + 1 };
  }
}

/**
 * Wrap-up happens while a project ends and after it closed, so these commands need the project to
 * exist, not to be open. Appraisals and training name current team members; a second appraisal of
 * the same member, or a new scheme over an existing one, needs a reason.
 */
export function decideWrapUp(command: WrapUpCommand, state: WrapUpState, context: WrapUpContext): WrapUpEvent[] {
  if (context.project.status === 'none') refuse('PROJECT_NOT_FOUND', 'the project does not exist');
  switch (command.type) {
    case 'AppraiseMember':
      if (!context.currentMemberIds.has(command.data.memberId))
        refuse('MEMBER_NOT_FOUND', `member ${command.data.memberId} is not on the team`);
      if (state.appraised.has(command.data.memberId) && !command.data.reason)
        refuse('REASON_REQUIRED', `member ${command.data.memberId} was appraised already; a new appraisal needs a reason`);
      return [{ type: 'MemberAppraised', data: command.data }];
    case 'RecordLesson': {
      if (state.lessons.has(command.data.lessonId)) refuse('LESSON_EXISTS', `lesson ${command.data.lessonId} is recorded already`);
      const unknown = command.data.strategyRefs.filter((id) => !context.strategy.elements.has(id));
      if (unknown.length > 0) refuse('STRATEGY_ELEMENT_NOT_FOUND', `strategy element ${unknown.join(', ')} does not exist`);
      return [{ type: 'LessonRecorded', data: command.data }];
    }
    case 'SetIncentiveScheme': {
      if (state.scheme && !command.data.reason)
        refuse('REASON_REQUIRED', 'the project has an incentive scheme already; replacing it needs a reason');
      const ids = command.data.rules.map((r) => r.ruleId);
      if (new Set(ids).size !== ids.length) refuse('DUPLICATE_RULE', 'two incentive rules share an id');
      if (state.scheme && JSON.stringify(state.scheme) === JSON.stringify(command.data.rules))
        refuse('NOTHING_TO_CHANGE', 'the incentive scheme is already like this');
      return [{ type: 'IncentiveSchemeSet', data: command.data }];
    }
    case 'PlanTraining':
      if (state.trainings.has(command.data.trainingId)) refuse('TRAINING_EXISTS', `training ${command.data.trainingId} is planned already`);
      if (!context.currentMemberIds.has(command.data.memberId))
        refuse('MEMBER_NOT_FOUND', `member ${command.data.memberId} is not on the team`);
      return [{ type: 'TrainingPlanned', data: command.data }];
    case 'PublishEvaluation':
      if (!state.scheme)
        refuse('NO_INCENTIVE_SCHEME', 'set the incentive scheme before publishing the evaluation: awards are derived from it');
      return [{ type: 'EvaluationPublished', data: command.data }];
  }
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The figures of every goal of the project on `asOf`, by the one figure function (parents rolled up). */
export function projectFigures(goals: readonly GoalState[], asOf: string): Map<string, GoalFigures> {
  return goalFigures(
    goals.map(goalNodeOf).filter((n): n is GoalNode => n !== undefined),
    asOf,
  );
}

/**
 * Attainment of one goal on `asOf`, from the figure function (a parent from its roll-up, so pass
 * the project's goals): actual to date ÷ target (lower-is-better: target ÷ actual); null without actuals.
 */
export function goalAttainment(goal: GoalState, asOf: string, projectGoals: readonly GoalState[] = [goal]): number | null {
  if (!goal.goalId) return null;
  const attainment = projectFigures(projectGoals, asOf).get(goal.goalId)?.attainment ?? null;
  return attainment === null ? null : round4(attainment);
}

const mean = (values: readonly number[]) => (values.length === 0 ? null : round4(values.reduce((s, v) => s + v, 0) / values.length));

const attainmentOf = (figures: Map<string, GoalFigures>, goal: GoalState) => figures.get(goal.goalId as string)?.attainment ?? null;

/** Each member's attainment: the mean over the active goals the member owns, each by the figure function. */
export function memberAttainments(memberIds: readonly string[], goals: readonly GoalState[], asOf: string): Attainment[] {
  const figures = projectFigures(goals, asOf);
  return memberIds.map((memberId) => {
    const owned = goals.filter(
      (g) => g.status === 'active' && g.definition?.owner.kind === 'member' && g.definition.owner.memberId === memberId,
    );
    const values = owned.map((g) => attainmentOf(figures, g)).filter((v): v is number => v !== null);
    return { memberId, attainment: mean(values), goalIds: owned.map((g) => g.goalId as string) };
  });
}

/** The project's own attainment: the mean over its active top-level goals, parents on their roll-up. */
export function teamAttainment(goals: readonly GoalState[], asOf: string): number | null {
  const figures = projectFigures(goals, asOf);
  return mean(
    goals
      .filter((g) => g.status === 'active' && !g.definition?.parentGoalId)
      .map((g) => attainmentOf(figures, g))
      .filter((v): v is number => v !== null),
  );
}

/**
 * The awards a scheme pays for attainment facts: for each member (or the team), of the rules of
 * that scope whose threshold the attainment reaches, the one with the highest threshold per award
 * kind (tiers do not add up). Derived, never typed in: the same facts always give the same awards.
 */
export function computeAwards(rules: readonly IncentiveRule[], attainments: readonly Attainment[], team: number | null): Award[] {
  const awards: Award[] = [];
  const best = (scope: 'member' | 'team', value: number | null, memberId: string | null) => {
    if (value === null) return;
    for (const kind of ['bonus', 'award'] as const) {
      const met = rules
        .filter((r) => r.scope === scope && r.award.kind === kind && value >= r.threshold)
        .sort((a, b) => b.threshold - a.threshold)[0];
      if (met) awards.push({ ruleId: met.ruleId, title: met.title, memberId, attainment: value, award: met.award });
    }
  };
  for (const a of attainments) best('member', a.attainment, a.memberId);
  best('team', team, null);
  return awards;
}
