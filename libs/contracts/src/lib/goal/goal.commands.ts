import { z } from 'zod';
import { finiteNumberSchema, idSchema, isoDateSchema, reasonSchema, shortTextSchema } from '../shared/primitives';
import { goalDefinitionSchema, goalOwnerSchema, phasingSchema, rollupRuleSchema } from './goal.events';

/** POST /projects/{id}/goals */
export const setGoalBodySchema = goalDefinitionSchema.strict();
/** POST /goals/{id}/target-adjustments */
export const adjustGoalTargetBodySchema = z.object({ target: finiteNumberSchema, reason: reasonSchema }).strict();
/** POST /goals/{id}/deadline-moves */
export const moveGoalDeadlineBodySchema = z.object({ deadline: isoDateSchema, reason: reasonSchema }).strict();
/** POST /goals/{id}/owner-changes */
export const changeGoalOwnerBodySchema = z.object({ owner: goalOwnerSchema, reason: reasonSchema }).strict();
/** POST /goals/{id}/rephasings */
export const rephaseGoalBodySchema = z.object({ phasing: phasingSchema, reason: reasonSchema }).strict();
/** POST /goals/{id}/rollup-changes: how the goal takes its figures from its child goals from now on. */
export const changeGoalRollupBodySchema = z.object({ rollup: rollupRuleSchema, reason: reasonSchema }).strict();
/** POST /goals/{id}/strategy-links: the strategy elements the goal serves from now on (empty: none). */
export const linkGoalStrategyBodySchema = z
  .object({ strategyRefs: z.array(idSchema).max(20, 'must name at most 20 strategy elements'), reason: reasonSchema })
  .strict();
/** POST /goals/{id}/withdrawal */
export const withdrawGoalBodySchema = z.object({ reason: reasonSchema }).strict();
/** POST /goals/{id}/actuals */
export const recordActualBodySchema = z
  .object({
    /** Optional: send your own id to make resending the same actual a no-op. */
    actualId: idSchema.optional(),
    value: finiteNumberSchema,
    businessDate: isoDateSchema,
    source: shortTextSchema.min(1, 'must name where the figure comes from'),
    externalRef: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
/** Most actuals one batch request may carry. */
export const ACTUALS_BATCH_LIMIT = 10_000;

/** POST /goals/{id}/actuals/batch: a CRM feed or a spreadsheet export; resending it records nothing twice. */
export const recordActualsBatchBodySchema = z
  .object({
    actuals: z
      .array(recordActualBodySchema.required({ externalRef: true }))
      .min(1, 'must hold at least one actual')
      .max(ACTUALS_BATCH_LIMIT, `must hold at most ${ACTUALS_BATCH_LIMIT} actuals`),
  })
  .strict();

/** POST /goals/{id}/actuals/{actualId}/corrections */
export const correctActualBodySchema = z.object({ value: finiteNumberSchema, reason: reasonSchema }).strict();

/** What every command endpoint answers. */
export const commandResultSchema = z.object({
  id: z.string().describe('The id of the project, goal or actual the command acted on'),
  streamId: z.string(),
  revision: z.number().int().nullable().describe('The stream revision after the command; send it as If-Match next time'),
  position: z.string().nullable().describe('Global position of the last event written (null when nothing changed)'),
  events: z.array(z.string()).describe('Types of the events written; empty when the command changed nothing'),
  replayed: z
    .boolean()
    .describe('True when this answers a retry of a command stored before (same Idempotency-Key): nothing new was written')
    .optional(),
});
