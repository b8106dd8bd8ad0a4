import type { GoalDefinition, Phasing } from '@planledger/contracts';
import { addDays, daysInclusive, lastOfMonth, sundayOf } from '../shared/calendar';

export type PaceStatus = 'on_track' | 'at_risk' | 'off_track';

/**
 * Why a goal's status is what it is, as a code a page or a message translates (the `reason`
 * sentence is its English wording): not started, no actuals yet, nothing due yet, on pace, behind
 * by more than the tolerance, or more than twice the tolerance behind.
 */
export const PACE_REASONS = ['not_started', 'no_actuals', 'nothing_due', 'on_pace', 'behind', 'far_behind'] as const;
export type PaceReason = (typeof PACE_REASONS)[number];

export interface ActualPoint {
  value: number;
  /** The business date the result belongs to (YYYY-MM-DD). */
  businessDate: string;
}

export interface PaceAssessment {
  asOf: string;
  /** Share of the plan due by `asOf` according to the phasing, 0–1. */
  plannedShare: number;
  /** Sum of actuals (cumulative KPIs) or the latest value (level KPIs) up to `asOf`. */
  actualToDate: number | null;
  /** Where the plan says the KPI should stand at `asOf`. */
  expectedToDate: number;
  /** actualToDate ÷ target (for lower-is-better KPIs: target ÷ actualToDate). */
  attainment: number | null;
  /** Performance against the plan so far: 1 is exactly on plan, above is ahead, whatever the direction. */
  pace: number | null;
  /** Where the KPI lands at the deadline if the run rate so far holds (level KPIs: the latest value). */
  forecast: number | null;
  status: PaceStatus;
  /** Why the status is what it is, in words a manager reads. */
  reason: string;
  /** The same as a code, for a translation. */
  reasonCode: PaceReason;
}

/**
 * How far the status must recover, as a share of the tolerance, before it improves again: a goal
 * hovering at a threshold does not flap between states and alerts.
 */
export const HYSTERESIS_SHARE = 0.25;

/**
 * Where a goal stands on `asOf` (a date) against its phased plan. Pure: the same goal, actuals,
 * date and previous status always give the same answer. Thresholds: pace at least 1 − tolerance is
 * on track, at least 1 − 2 × tolerance at risk, below that off track; improving from a worse
 * status needs a further quarter of the tolerance.
 */
export function assessPace(goal: GoalDefinition, actuals: readonly ActualPoint[], asOf: string, previous?: PaceStatus): PaceAssessment {
  const share = plannedShare(goal.phasing, goal.startDate, goal.deadline, asOf);
  const higher = goal.kpi.direction === 'higher_is_better';
  const known = actuals.filter((a) => a.businessDate <= asOf);
  const cumulative = goal.kpi.aggregation === 'cumulative';
  const actualToDate = cumulative ? known.reduce((sum, a) => sum + a.value, 0) : latest(known);
  const expectedToDate = expectedAt(goal, share);

  const ratio = (good: number | null, plan: number): number | null => {
    if (good === null) return null;
    if (higher) return plan === 0 ? null : good / plan;
    return good === 0 ? (plan === 0 ? null : Number.POSITIVE_INFINITY) : plan / good;
  };
  const attainment = ratio(actualToDate, goal.target);
  // A cumulative KPI with nothing due yet, or a level KPI still before its start, has no pace yet.
  const started = asOf >= goal.startDate;
  const pace = started && !(cumulative && share === 0) ? ratio(actualToDate, expectedToDate) : null;

  let forecast: number | null = null;
  if (actualToDate !== null) {
    if (!cumulative || asOf >= goal.deadline) forecast = actualToDate;
    else if (started) forecast = (actualToDate * daysInclusive(goal.startDate, goal.deadline)) / daysInclusive(goal.startDate, asOf);
  }

  const { status, reason, reasonCode } = classify(pace, goal.tolerance, previous, started, actualToDate === null);
  return { asOf, plannedShare: share, actualToDate, expectedToDate, attainment, pace, forecast, status, reason, reasonCode };
}

/** Where the plan puts the KPI once `share` of it is due: a share of the target, or a glide from baseline to target. */
export function expectedAt(goal: GoalDefinition, share: number): number {
  return goal.kpi.aggregation === 'cumulative' ? goal.target * share : goal.baseline + (goal.target - goal.baseline) * share;
}

function latest(points: readonly ActualPoint[]): number | null {
  let best: ActualPoint | undefined;
  // The last point of the latest business date wins: a later correction of the same day replaces it.
  for (const point of points) if (!best || point.businessDate >= best.businessDate) best = point;
  return best ? best.value : null;
}

function classify(
  pace: number | null,
  tolerance: number,
  previous: PaceStatus | undefined,
  started: boolean,
  noActuals: boolean,
): { status: PaceStatus; reason: string; reasonCode: PaceReason } {
  if (!started) return { status: 'on_track', reason: 'not started yet', reasonCode: 'not_started' };
  if (pace === null)
    return noActuals
      ? { status: previous ?? 'on_track', reason: 'no actuals recorded yet', reasonCode: 'no_actuals' }
      : { status: previous ?? 'on_track', reason: 'nothing is due yet', reasonCode: 'nothing_due' };
  const margin = tolerance * HYSTERESIS_SHARE;
  const rank: Record<PaceStatus, number> = { on_track: 0, at_risk: 1, off_track: 2 };
  const onTrackAt = 1 - tolerance + (previous && rank[previous] > 0 ? margin : 0);
  const atRiskAt = 1 - 2 * tolerance + (previous === 'off_track' ? margin : 0);
  const percent = (x: number) => `${Math.round(x * 100)}%`;
  if (pace >= onTrackAt) return { status: 'on_track', reason: `at ${percent(pace)} of plan to date`, reasonCode: 'on_pace' };
  if (pace >= atRiskAt)
    return {
      status: 'at_risk',
      reason: `at ${percent(pace)} of plan to date, below the ${percent(1 - tolerance)} the tolerance allows`,
      reasonCode: 'behind',
    };
  return {
    status: 'off_track',
    reason: `at ${percent(pace)} of plan to date, more than twice the tolerance behind`,
    reasonCode: 'far_behind',
  };
}

/** Share of the plan due by the end of `asOf`, from the goal's phasing (0 before the start, 1 from the deadline). */
export function plannedShare(phasing: Phasing, start: string, deadline: string, asOf: string): number {
  if (asOf < start) return 0;
  if (asOf >= deadline) return 1;
  if (phasing.kind === 'linear') return daysInclusive(start, asOf) / daysInclusive(start, deadline);
  // Weighted weeks or months: the weights of the periods already over, and the current period's
  // weight in proportion to its days (inside the goal's span) that have passed.
  const periods = spans(phasing.kind, start, deadline);
  let share = 0;
  periods.forEach(([from, to], i) => {
    const weight = phasing.weights[i] ?? 0;
    if (asOf >= to) share += weight;
    else if (asOf >= from) share += (weight * daysInclusive(from, asOf)) / daysInclusive(from, to);
  });
  return Math.min(1, share);
}

/** The weeks (Monday to Sunday) or calendar months the span touches, each clipped to the span. */
function spans(kind: 'weekly' | 'monthly', start: string, deadline: string): [string, string][] {
  const out: [string, string][] = [];
  let from = start;
  while (from <= deadline) {
    const end = kind === 'monthly' ? lastOfMonth(from) : sundayOf(from);
    const to = end < deadline ? end : deadline;
    out.push([from, to]);
    from = addDays(to, 1);
  }
  return out;
}
