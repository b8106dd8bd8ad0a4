import type { GoalDefinition, RollupRule } from '@planledger/contracts';
import {
  assessDrift,
  DEFAULT_DRIFT_SETTINGS,
  type DriftAssessment,
  type DriftFacts,
  type DriftSettings,
  type DriftState,
} from './drift.policy';
import type { GoalState } from './goal.decider';
import { assessPace, type ActualPoint, type PaceReason, type PaceStatus } from './pace.policy';

/** One goal as the figure function needs it: its current definition and its actuals (corrections applied). */
export interface GoalNode {
  goalId: string;
  status: 'active' | 'withdrawn';
  definition: GoalDefinition;
  actuals: readonly ActualPoint[];
}

/**
 * A goal's figures on one day: the numbers every view, the drift check, the report and the wrap-up
 * show for it. Infinite ratios (a lower-is-better goal at zero) are null, as no page can print them.
 */
export interface GoalFigures {
  goalId: string;
  asOf: string;
  /** Share of the plan due by `asOf` according to the phasing, 0–1. */
  plannedShare: number;
  /** Sum of actuals (cumulative KPIs), the latest value by business date (level KPIs), or the roll-up of the child goals. */
  actualToDate: number | null;
  /** Where the plan says the KPI should stand at `asOf`. */
  expectedToDate: number;
  /** actualToDate ÷ target (lower-is-better KPIs: target ÷ actualToDate). */
  attainment: number | null;
  /** Performance against the plan so far: 1 is on plan, above is ahead, whatever the direction. */
  pace: number | null;
  /** Where the KPI lands at the deadline if the run rate so far holds (level KPIs: the latest value). */
  forecast: number | null;
  status: PaceStatus;
  /** Why the status is what it is, in words a manager reads. */
  reason: string;
  /** The same as a code, for a page or message to translate. */
  reasonCode: PaceReason;
  /** The rule the goal rolls its children up by (also when it has none). */
  rollup: RollupRule;
  /** Whether the figures come from child goals rather than the goal's own actuals. */
  rolledUp: boolean;
  /** Active child goals the figures were rolled up from. */
  childGoalIds: string[];
  /** The latest business date (not after `asOf`) of an actual behind the figures; null with none. */
  lastActualDate: string | null;
}

/** A goal aggregate's state as a node of the tree (undefined for a goal never set). */
export function goalNodeOf(state: GoalState): GoalNode | undefined {
  if (state.status === 'none' || !state.definition || !state.goalId) return undefined;
  const actuals = [...state.actuals.values()].map(({ value, businessDate }) => ({ value, businessDate }));
  return { goalId: state.goalId, status: state.status, definition: state.definition, actuals };
}

/** The rule a goal rolls up by: the declared one, else `sum` for cumulative KPIs and `average` for level KPIs. */
export function rollupOf(definition: Pick<GoalDefinition, 'rollup' | 'kpi'>): RollupRule {
  return definition.rollup ?? (definition.kpi.aggregation === 'cumulative' ? 'sum' : 'average');
}

/** What the figures of one goal are computed from: its definition and the actual points behind them. */
interface Basis {
  node: GoalNode;
  rollup: RollupRule;
  rolledUp: boolean;
  childGoalIds: string[];
  /** Own actuals, every descendant actual (a cumulative sum), or one point holding the rolled-up value. */
  points: readonly ActualPoint[];
  /** The points are one synthetic roll-up value: run rates over a trailing window mean nothing. */
  synthetic: boolean;
}

const finite = (x: number | null) => (x === null || !Number.isFinite(x) ? null : x);

/**
 * The figure function: every goal of a project on `asOf`, parents taking their figures from their
 * active child goals by their roll-up rule, all the way down a tree of any depth. Pure: the same
 * goals, actuals and day always give the same figures, whichever page asks.
 *
 * - A goal without active children, or with `rollup: none`, is judged on its own actuals.
 * - `sum` over cumulative children judges the parent on every descendant actual (so its run rate
 *   and staleness are those of the team); over level children, on the sum of their values.
 * - `average`, `weighted_average` (by child target) and `min` judge the parent on one value: the
 *   children's actuals to date combined by the rule, dated by the latest actual behind them.
 * - Children without any actual yet count as 0 in a sum and are left out of averages and minimums.
 */
export function goalFigures(nodes: readonly GoalNode[], asOf: string): Map<string, GoalFigures> {
  const bases = basesOf(nodes, asOf);
  const figures = new Map<string, GoalFigures>();
  for (const basis of bases.values()) figures.set(basis.node.goalId, figuresOf(basis, asOf));
  return figures;
}

/**
 * The drift check's verdict for one goal of the tree, judged on the same basis as its figures (a
 * parent on its roll-up) with the drift policy's hysteresis against `previous`.
 */
export function goalDrift(
  nodes: readonly GoalNode[],
  goalId: string,
  asOf: string,
  previous?: DriftState,
  settings: DriftSettings = DEFAULT_DRIFT_SETTINGS,
  facts: DriftFacts = {},
): DriftAssessment | undefined {
  const basis = basesOf(nodes, asOf).get(goalId);
  if (!basis) return undefined;
  const judged = assessDrift(basis.node.definition, basis.points, asOf, previous, settings, facts);
  if (!basis.synthetic) return judged;
  // One synthetic point has no run rate: judge on the pace alone (staleness still counts).
  const pace = assessPace(basis.node.definition, basis.points, asOf, previous === 'stale' ? undefined : previous);
  return {
    ...judged,
    trailingRunRate: null,
    trailingPace: null,
    trailingForecast: judged.actualToDate,
    ...(judged.state === 'stale' ? {} : { state: pace.status, reason: pace.reason }),
  };
}

/** Where a goal may land at its deadline, from the lower to the higher of two run rates. */
export interface ForecastRange {
  low: number;
  high: number;
}

/**
 * The range of a goal's forecast on `asOf`: between its run rate since the start (the figures'
 * forecast) and the run rate of the drift check's trailing window, so a burn-up shows both where
 * the quarter so far and the last weeks lead. Null without a trailing run rate: a level KPI (its
 * forecast is its latest value), a roll-up by one combined value, a goal not started.
 */
export function goalForecastRange(
  nodes: readonly GoalNode[],
  goalId: string,
  asOf: string,
  settings: DriftSettings = DEFAULT_DRIFT_SETTINGS,
): ForecastRange | null {
  const drift = goalDrift(nodes, goalId, asOf, undefined, settings);
  const sinceStart = finite(drift?.forecast ?? null);
  const trailing = finite(drift?.trailingForecast ?? null);
  if (sinceStart === null || trailing === null || drift?.trailingRunRate === null) return null;
  return { low: Math.min(sinceStart, trailing), high: Math.max(sinceStart, trailing) };
}

function figuresOf(basis: Basis, asOf: string): GoalFigures {
  const p = assessPace(basis.node.definition, basis.points, asOf);
  return {
    goalId: basis.node.goalId,
    asOf,
    plannedShare: p.plannedShare,
    actualToDate: p.actualToDate,
    expectedToDate: p.expectedToDate,
    attainment: finite(p.attainment),
    pace: finite(p.pace),
    forecast: finite(p.forecast),
    status: p.status,
    reason: p.reason,
    reasonCode: p.reasonCode,
    rollup: basis.rollup,
    rolledUp: basis.rolledUp,
    childGoalIds: basis.childGoalIds,
    lastActualDate: latestDate(basis.points, asOf),
  };
}

function basesOf(nodes: readonly GoalNode[], asOf: string): Map<string, Basis> {
  const byId = new Map(nodes.map((n) => [n.goalId, n]));
  const children = new Map<string, GoalNode[]>();
  for (const node of nodes) {
    const parent = node.definition.parentGoalId;
    if (node.status !== 'active' || parent === undefined || !byId.has(parent)) continue;
    children.set(parent, [...(children.get(parent) ?? []), node]);
  }
  const bases = new Map<string, Basis>();
  const visiting = new Set<string>();
  const basisOf = (node: GoalNode): Basis => {
    const known = bases.get(node.goalId);
    if (known) return known;
    const rollup = rollupOf(node.definition);
    const kids = visiting.has(node.goalId) ? [] : (children.get(node.goalId) ?? []);
    let basis: Basis;
    if (rollup === 'none' || kids.length === 0) {
      basis = { node, rollup, rolledUp: false, childGoalIds: [], points: node.actuals, synthetic: false };
    } else {
      visiting.add(node.goalId);
      const childBases = kids.map(basisOf);
      visiting.delete(node.goalId);
      const childGoalIds = kids.map((k) => k.goalId);
      const cumulative = node.definition.kpi.aggregation === 'cumulative';
      if (rollup === 'sum' && cumulative && kids.every((k) => k.definition.kpi.aggregation === 'cumulative')) {
        basis = { node, rollup, rolledUp: true, childGoalIds, points: childBases.flatMap((b) => b.points), synthetic: false };
      } else {
        const values = childBases.map((b) => ({ target: b.node.definition.target, figures: figuresOf(b, asOf) }));
        const value = combine(rollup, values);
        const date = values.reduce<string | null>((d, v) => maxDate(d, v.figures.lastActualDate), null);
        const points = value === null || date === null ? [] : [{ value, businessDate: date }];
        basis = { node, rollup, rolledUp: true, childGoalIds, points, synthetic: true };
      }
    }
    bases.set(node.goalId, basis);
    return basis;
  };
  for (const node of nodes) basisOf(node);
  return bases;
}

function combine(rule: Exclude<RollupRule, 'none'>, children: { target: number; figures: GoalFigures }[]): number | null {
  const known = children.filter((c) => c.figures.actualToDate !== null);
  if (known.length === 0) return null;
  const values = known.map((c) => c.figures.actualToDate as number);
  switch (rule) {
    case 'sum':
      return values.reduce((s, v) => s + v, 0);
    case 'average':
      return values.reduce((s, v) => s + v, 0) / values.length;
    case 'weighted_average': {
      const weight = known.reduce((s, c) => s + Math.abs(c.target), 0);
      if (weight === 0) return values.reduce((s, v) => s + v, 0) / values.length;
      return known.reduce((s, c) => s + Math.abs(c.target) * (c.figures.actualToDate as number), 0) / weight;
    }
    case 'min':
      return Math.min(...values);
  }
}

function latestDate(points: readonly ActualPoint[], asOf: string): string | null {
  let last: string | null = null;
  for (const p of points) if (p.businessDate <= asOf) last = maxDate(last, p.businessDate);
  return last;
}

const maxDate = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);
