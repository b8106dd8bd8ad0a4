import type { GoalDefinition } from '@planledger/contracts';
import { addDays, daysInclusive, toDayNumber } from '../shared/calendar';
import { assessPace, expectedAt, plannedShare, type ActualPoint, type PaceAssessment, type PaceStatus } from './pace.policy';

export type DriftState = PaceStatus | 'stale';

export interface DriftSettings {
  /** Days of actuals the run-rate forecast looks back over; default 14. */
  trailingDays: number;
  /** A goal with no actual for more than this many days (while it runs) is stale; default 7. */
  staleAfterDays: number;
  /**
   * Days after the goal starts, or was set if later, before it can be stale: nobody can have
   * entered an actual for a goal set a minute ago. Default: `staleAfterDays`.
   */
  graceDays?: number;
}

export const DEFAULT_DRIFT_SETTINGS: DriftSettings = { trailingDays: 14, staleAfterDays: 7 };

/** What the drift policy knows about a goal beyond its definition and actuals. */
export interface DriftFacts {
  /** The day the goal was set, where the project works: the grace period runs from it (or from the start, if later). */
  setOn?: string;
}

export interface DriftAssessment extends PaceAssessment {
  state: DriftState;
  /** Cumulative KPIs: the average per day over the trailing window (days before the start excluded). */
  trailingRunRate: number | null;
  /** Where the KPI lands at the deadline if the trailing run rate holds (level KPIs: the latest value). */
  trailingForecast: number | null;
  /** Cumulative KPIs: actuals in the trailing window ÷ what the phasing planned for it (1 is on plan). */
  trailingPace: number | null;
  /** Days from the latest actual's business date (or the start, with none) to `asOf`. */
  daysSinceLastActual: number | null;
}

/**
 * A goal's drift state on `asOf`, with the numbers behind it. Pure. On top of the pace policy
 * (expected-to-date from the phasing, tolerance bands, direction, cumulative or level, hysteresis
 * against `previous`):
 * - `stale`: the goal is running (started, deadline not passed), past its grace period (from the
 *   start, or the day it was set if later), short of a cumulative target, and its latest actual is
 *   more than `staleAfterDays` old (or none came since the start that long ago);
 * - an early warning: a cumulative goal on track by its pace so far, whose trailing window fell
 *   short of what its phasing planned for that window by more than the tolerance, is `at_risk`
 *   (phasing-aware, so a back-loaded plan is not flagged for its slow start).
 * Corrections are the caller's: pass each actual with its corrected value.
 */
export function assessDrift(
  goal: GoalDefinition,
  actuals: readonly ActualPoint[],
  asOf: string,
  previous?: DriftState,
  settings: DriftSettings = DEFAULT_DRIFT_SETTINGS,
  facts: DriftFacts = {},
): DriftAssessment {
  const pace = assessPace(goal, actuals, asOf, previous === 'stale' ? undefined : previous);
  const known = actuals.filter((a) => a.businessDate <= asOf);
  const cumulative = goal.kpi.aggregation === 'cumulative';
  const higher = goal.kpi.direction === 'higher_is_better';
  const running = asOf >= goal.startDate && asOf < goal.deadline;

  const lastDate = known.reduce<string | undefined>(
    (last, a) => (last === undefined || a.businessDate > last ? a.businessDate : last),
    undefined,
  );
  const since = asOf >= goal.startDate ? toDayNumber(asOf) - toDayNumber(lastDate ?? goal.startDate) : null;

  let trailingRunRate: number | null = null;
  let trailingForecast: number | null = pace.actualToDate;
  let trailingPace: number | null = null;
  if (cumulative && asOf >= goal.startDate) {
    const windowStart = maxDate(addDays(asOf, -(settings.trailingDays - 1)), goal.startDate);
    const inWindow = known.filter((a) => a.businessDate >= windowStart).reduce((sum, a) => sum + a.value, 0);
    trailingRunRate = inWindow / daysInclusive(windowStart, asOf);
    const remaining = asOf >= goal.deadline ? 0 : daysInclusive(addDays(asOf, 1), goal.deadline);
    trailingForecast = (pace.actualToDate ?? 0) + trailingRunRate * remaining;
    const plannedInWindow =
      expectedAt(goal, pace.plannedShare) -
      expectedAt(goal, plannedShare(goal.phasing, goal.startDate, goal.deadline, addDays(windowStart, -1)));
    if (plannedInWindow > 0) trailingPace = higher ? inWindow / plannedInWindow : inWindow === 0 ? null : plannedInWindow / inWindow;
  }

  // No staleness within the grace period, nor once a cumulative target is met: nothing is missing.
  const graceFrom = facts.setOn !== undefined && facts.setOn > goal.startDate ? facts.setOn : goal.startDate;
  const inGrace = toDayNumber(asOf) - toDayNumber(graceFrom) <= (settings.graceDays ?? settings.staleAfterDays);
  const targetMet = cumulative && higher && (pace.actualToDate ?? 0) >= goal.target;
  if (running && since !== null && since > settings.staleAfterDays && !inGrace && !targetMet) {
    return {
      ...pace,
      state: 'stale',
      reason: lastDate ? `no actual since ${lastDate} (${since} days)` : `no actual since the start on ${goal.startDate} (${since} days)`,
      trailingRunRate,
      trailingForecast,
      trailingPace,
      daysSinceLastActual: since,
    };
  }

  // A goal still in its grace period with nothing recorded yet is not judged: nobody could have entered a figure.
  if (inGrace && known.length === 0 && asOf >= goal.startDate) {
    return {
      ...pace,
      state: previous ?? 'on_track',
      reason: `no actuals recorded yet; judged from ${addDays(graceFrom, (settings.graceDays ?? settings.staleAfterDays) + 1)}`,
      trailingRunRate,
      trailingForecast,
      trailingPace,
      daysSinceLastActual: since,
    };
  }

  let state: DriftState = pace.status;
  let reason = pace.reason;
  if (state === 'on_track' && running && !targetMet && trailingPace !== null && trailingPace < 1 - goal.tolerance) {
    state = 'at_risk';
    reason = `${pace.reason}, but the last ${settings.trailingDays} days ran at ${Math.round(trailingPace * 100)}% of plan (run rate lands at ${Math.round(trailingForecast ?? 0)} against ${goal.target})`;
  }
  return { ...pace, state, reason, trailingRunRate, trailingForecast, trailingPace, daysSinceLastActual: since };
}

const maxDate = (a: string, b: string) => (a > b ? a : b);
