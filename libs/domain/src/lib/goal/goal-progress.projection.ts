import type { GoalDefinition, GoalEvent } from '@planledger/contracts';
import { fromDayNumber, toDayNumber } from '../shared/calendar';
import type { GoalNode } from './goal-figures';
import { expectedAt, plannedShare, type ActualPoint } from './pace.policy';

/** One goal as the progress view keeps it: its current definition and every actual, as plain JSON. */
export interface GoalProgressDoc {
  [key: string]: unknown;
  goalId: string;
  projectId: string;
  status: 'active' | 'withdrawn';
  definition: GoalDefinition;
  /** actualId → the actual's value and business date (corrections applied). */
  actuals: Record<string, ActualPoint>;
}

/** The progress document after a goal event; pure, for the projection runner and for tests. */
export function evolveGoalProgress(doc: GoalProgressDoc | undefined, event: GoalEvent): GoalProgressDoc | undefined {
  if (event.type === 'GoalSet') {
    const {
      goalId,
      projectId,
      title,
      kpi,
      target,
      baseline,
      startDate,
      deadline,
      phasing,
      owner,
      tolerance,
      parentGoalId,
      rollup,
      relevance,
      actualsSource,
    } = event.data;
    const definition: GoalDefinition = {
      title,
      kpi,
      target,
      baseline,
      startDate,
      deadline,
      phasing,
      owner,
      tolerance,
      parentGoalId,
      rollup,
      relevance,
      actualsSource,
    };
    // Optional fields that are absent stay absent, as in the aggregate.
    for (const key of Object.keys(definition) as (keyof GoalDefinition)[]) if (definition[key] === undefined) delete definition[key];
    return { goalId, projectId, status: 'active', definition, actuals: {} };
  }
  if (!doc) return doc;
  switch (event.type) {
    case 'GoalTargetAdjusted':
      return { ...doc, definition: { ...doc.definition, target: event.data.after } };
    case 'GoalDeadlineMoved':
      return { ...doc, definition: { ...doc.definition, deadline: event.data.after } };
    case 'GoalOwnerChanged':
      return { ...doc, definition: { ...doc.definition, owner: event.data.after } };
    case 'GoalRephased':
      return { ...doc, definition: { ...doc.definition, phasing: event.data.after } };
    case 'GoalRollupChanged':
      return { ...doc, definition: { ...doc.definition, rollup: event.data.after } };
    case 'GoalWithdrawn':
      return { ...doc, status: 'withdrawn' };
    case 'ActualRecorded':
    case 'ActualCorrected':
      return applyActual({ ...doc, actuals: { ...doc.actuals } }, event);
    case 'KpiDriftDetected':
    case 'KpiBackOnTrack':
    case 'GoalWentStale':
      // The drift checks' verdicts; the view judges pace itself.
      return doc;
    case 'GoalStrategyLinked':
      // Traceability lives in the strategy view, which folds the goals themselves.
      return doc;
  }
}

/**
 * The same change as `evolveGoalProgress`, made in place on a document the caller owns: a batch of
 * thousands of actuals on one goal then costs one copy, not one per actual.
 */
export function evolveGoalProgressInPlace(doc: GoalProgressDoc | undefined, event: GoalEvent): GoalProgressDoc | undefined {
  if (doc && (event.type === 'ActualRecorded' || event.type === 'ActualCorrected')) return applyActual(doc, event);
  return evolveGoalProgress(doc, event);
}

function applyActual(doc: GoalProgressDoc, event: Extract<GoalEvent, { type: 'ActualRecorded' | 'ActualCorrected' }>): GoalProgressDoc {
  if (event.type === 'ActualRecorded') {
    doc.actuals[event.data.actualId] = { value: event.data.value, businessDate: event.data.businessDate };
    return doc;
  }
  const previous = doc.actuals[event.data.actualId];
  if (previous) doc.actuals[event.data.actualId] = { ...previous, value: event.data.after };
  return doc;
}

/** A progress document as a node of the goal tree the figure function reads. */
export function goalNodeOfDoc(doc: GoalProgressDoc): GoalNode {
  return { goalId: doc.goalId, status: doc.status, definition: doc.definition, actuals: Object.values(doc.actuals) };
}

export interface SeriesPoint {
  date: string;
  actual: number | null;
  expected: number;
}

/**
 * Day by day from the start to `until` (at most the deadline): the actual to date (sum or latest
 * value) and where the plan expected it, for charts.
 */
export function progressSeries(goal: GoalDefinition, actuals: readonly ActualPoint[], until: string): SeriesPoint[] {
  const end = until < goal.deadline ? until : goal.deadline;
  if (end < goal.startDate) return [];
  const cumulative = goal.kpi.aggregation === 'cumulative';
  const sorted = [...actuals].sort((a, b) => (a.businessDate < b.businessDate ? -1 : a.businessDate > b.businessDate ? 1 : 0));
  const points: SeriesPoint[] = [];
  let index = 0;
  let running = 0;
  let latest: number | null = null;
  // Actuals dated before the start count towards the first day.
  for (let day = toDayNumber(goal.startDate); day <= toDayNumber(end); day++) {
    const date = fromDayNumber(day);
    while (index < sorted.length && sorted[index].businessDate <= date) {
      running += sorted[index].value;
      latest = sorted[index].value;
      index++;
    }
    points.push({
      date,
      actual: cumulative ? running : latest,
      expected: expectedAt(goal, plannedShare(goal.phasing, goal.startDate, goal.deadline, date)),
    });
  }
  return points;
}
