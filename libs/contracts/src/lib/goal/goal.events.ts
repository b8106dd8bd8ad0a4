import { z } from 'zod';
import {
  changeOf,
  finiteNumberSchema,
  idSchema,
  isoDateSchema,
  nameSchema,
  reasonSchema,
  shortTextSchema,
  type EventOf,
} from '../shared/primitives';

export const kpiSchema = z.object({
  name: nameSchema,
  unit: z.string().trim().min(1, 'must name the unit (EUR, deals, customers, points)').max(50),
  /** Whether a higher or a lower value is better (revenue: higher; churn: lower). */
  direction: z.enum(['higher_is_better', 'lower_is_better']),
  /** Cumulative KPIs add actuals up (revenue); level KPIs take the latest value (satisfaction). */
  aggregation: z.enum(['cumulative', 'level']),
});
export type Kpi = z.infer<typeof kpiSchema>;

export const phasingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('linear') }),
  z.object({
    kind: z.enum(['weekly', 'monthly']),
    /** One weight per calendar week (Monday-based) or month the goal spans; they sum to 1. */
    weights: z.array(z.number().min(0).max(1)).min(1).max(600),
  }),
]);
export type Phasing = z.infer<typeof phasingSchema>;

/**
 * How a goal with child goals takes its figures from them: `sum` (the default for cumulative KPIs),
 * `average` or `weighted_average` by child target (`average` is the default for level KPIs), `min`
 * (the lowest child value), or `none` (the goal keeps its own actuals).
 */
export const rollupRuleSchema = z.enum(['sum', 'average', 'weighted_average', 'min', 'none']);
export type RollupRule = z.infer<typeof rollupRuleSchema>;

export const goalOwnerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('team') }),
  z.object({ kind: z.literal('member'), memberId: idSchema }),
]);
export type GoalOwner = z.infer<typeof goalOwnerSchema>;

export const smartCriterionSchema = z.object({ ok: z.boolean(), reason: z.string().optional() });
export const smartAssessmentSchema = z.object({
  specific: smartCriterionSchema,
  measurable: smartCriterionSchema,
  achievable: smartCriterionSchema,
  relevant: smartCriterionSchema,
  timeBound: smartCriterionSchema,
});
export type SmartAssessment = z.infer<typeof smartAssessmentSchema>;

export const goalDefinitionSchema = z.object({
  title: nameSchema,
  kpi: kpiSchema,
  target: finiteNumberSchema,
  baseline: finiteNumberSchema,
  startDate: isoDateSchema,
  deadline: isoDateSchema,
  phasing: phasingSchema,
  owner: goalOwnerSchema,
  /** Allowed shortfall against the expected-to-date value before the goal counts as drifting, 0–1. */
  tolerance: z.number().min(0).max(1),
  parentGoalId: idSchema.optional(),
  /** How the goal rolls up its child goals; absent: `sum` for cumulative KPIs, `average` for level KPIs. */
  rollup: rollupRuleSchema.optional(),
  /** How the goal serves the project's or the company's aim. */
  relevance: shortTextSchema.optional(),
  /** Where actual results come from (CRM export, finance system, survey tool). */
  actualsSource: shortTextSchema.optional(),
  /**
   * The project's survey score this goal takes as its actual (the CSAT mean, or the NPS), set by
   * whoever sets the goal (a manager): only then may a survey response that names the goal feed it.
   */
  surveyFeed: z.enum(['csat', 'nps'], { error: 'must be csat or nps' }).optional(),
  /** Strategy elements (segments, channels, pricing, promotions) the goal serves. */
  strategyRefs: z.array(idSchema).max(20).optional(),
});
export type GoalDefinition = z.infer<typeof goalDefinitionSchema>;

export const goalSetSchema = goalDefinitionSchema.extend({ goalId: idSchema, projectId: idSchema, smart: smartAssessmentSchema });
export const goalTargetAdjustedSchema = z.object({ goalId: idSchema, ...changeOf(finiteNumberSchema).shape, reason: reasonSchema });
export const goalDeadlineMovedSchema = z.object({ goalId: idSchema, ...changeOf(isoDateSchema).shape, reason: reasonSchema });
export const goalOwnerChangedSchema = z.object({ goalId: idSchema, ...changeOf(goalOwnerSchema).shape, reason: reasonSchema });
export const goalRephasedSchema = z.object({ goalId: idSchema, ...changeOf(phasingSchema).shape, reason: reasonSchema });
export const goalRollupChangedSchema = z.object({ goalId: idSchema, ...changeOf(rollupRuleSchema).shape, reason: reasonSchema });
export const goalWithdrawnSchema = z.object({ goalId: idSchema, reason: reasonSchema });

export const actualSchema = z.object({
  actualId: idSchema,
  value: finiteNumberSchema,
  /** The business day the result belongs to (when the sale happened), not when it was recorded. */
  businessDate: isoDateSchema,
  source: shortTextSchema.min(1, 'must name where the figure comes from'),
  /** The record's id in the source system; the same reference twice is recorded once. */
  externalRef: z.string().trim().min(1).max(200).optional(),
});
export const actualRecordedSchema = actualSchema.extend({ goalId: idSchema });
export const actualCorrectedSchema = z.object({
  goalId: idSchema,
  actualId: idSchema,
  ...changeOf(finiteNumberSchema).shape,
  reason: reasonSchema,
});

/** Where a goal stands against its plan, as the drift checks judge it. */
export const driftStateSchema = z.enum(['on_track', 'at_risk', 'off_track', 'stale']);
const driftNumbers = {
  goalId: idSchema,
  /** The state before this change. */
  from: driftStateSchema,
  /** The day the check judged. */
  asOf: isoDateSchema,
  pace: z.number().nullable(),
  expectedToDate: z.number(),
  actualToDate: z.number().nullable(),
  trailingForecast: z.number().nullable(),
  /** Why, in words a manager reads. */
  reason: z.string().max(500),
};
export const kpiDriftDetectedSchema = z.object({ ...driftNumbers, to: z.enum(['at_risk', 'off_track']) });
export const kpiBackOnTrackSchema = z.object(driftNumbers);
export const goalWentStaleSchema = z.object({ ...driftNumbers, daysSinceLastActual: z.number().int().min(0) });

/** The strategy elements a goal serves, relinked after it was set. */
export const goalStrategyLinkedSchema = z.object({ goalId: idSchema, ...changeOf(z.array(idSchema).max(20)).shape, reason: reasonSchema });

export type GoalSet = EventOf<'GoalSet', typeof goalSetSchema>;
export type GoalTargetAdjusted = EventOf<'GoalTargetAdjusted', typeof goalTargetAdjustedSchema>;
export type GoalDeadlineMoved = EventOf<'GoalDeadlineMoved', typeof goalDeadlineMovedSchema>;
export type GoalOwnerChanged = EventOf<'GoalOwnerChanged', typeof goalOwnerChangedSchema>;
export type GoalRephased = EventOf<'GoalRephased', typeof goalRephasedSchema>;
export type GoalRollupChanged = EventOf<'GoalRollupChanged', typeof goalRollupChangedSchema>;
export type GoalWithdrawn = EventOf<'GoalWithdrawn', typeof goalWithdrawnSchema>;
export type ActualRecorded = EventOf<'ActualRecorded', typeof actualRecordedSchema>;
export type ActualCorrected = EventOf<'ActualCorrected', typeof actualCorrectedSchema>;
export type KpiDriftDetected = EventOf<'KpiDriftDetected', typeof kpiDriftDetectedSchema>;
export type KpiBackOnTrack = EventOf<'KpiBackOnTrack', typeof kpiBackOnTrackSchema>;
export type GoalWentStale = EventOf<'GoalWentStale', typeof goalWentStaleSchema>;
export type GoalStrategyLinked = EventOf<'GoalStrategyLinked', typeof goalStrategyLinkedSchema>;
export type GoalEvent =
  | GoalSet
  | GoalTargetAdjusted
  | GoalDeadlineMoved
  | GoalOwnerChanged
  | GoalRephased
  | GoalRollupChanged
  | GoalWithdrawn
  | ActualRecorded
  | ActualCorrected
  | KpiDriftDetected
  | KpiBackOnTrack
  | GoalWentStale
  | GoalStrategyLinked;

export const goalEventSchemas = {
  GoalSet: goalSetSchema,
  GoalTargetAdjusted: goalTargetAdjustedSchema,
  GoalDeadlineMoved: goalDeadlineMovedSchema,
  GoalOwnerChanged: goalOwnerChangedSchema,
  GoalRephased: goalRephasedSchema,
  GoalRollupChanged: goalRollupChangedSchema,
  GoalWithdrawn: goalWithdrawnSchema,
  ActualRecorded: actualRecordedSchema,
  ActualCorrected: actualCorrectedSchema,
  KpiDriftDetected: kpiDriftDetectedSchema,
  KpiBackOnTrack: kpiBackOnTrackSchema,
  GoalWentStale: goalWentStaleSchema,
  GoalStrategyLinked: goalStrategyLinkedSchema,
} as const;
