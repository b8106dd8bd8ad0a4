import { z } from 'zod';
import { rollupRuleSchema } from './goal.events';

/** A goal's figures on one day, as every view shows them (one function computes them all). */
export const goalFiguresSchema = z.object({
  asOf: z.string().describe('The day judged, where the project works'),
  plannedShare: z.number().describe('Share of the plan due by asOf from the phasing, 0–1'),
  actualToDate: z
    .number()
    .nullable()
    .describe('Sum (cumulative), latest value by business date (level), or the roll-up of the child goals'),
  expectedToDate: z.number(),
  attainment: z.number().nullable().describe('actualToDate ÷ target; lower-is-better: target ÷ actualToDate'),
  pace: z.number().nullable().describe('Against the plan to date: 1 is on plan'),
  forecast: z.number().nullable(),
  status: z.enum(['on_track', 'at_risk', 'off_track']),
  reason: z.string().describe('Why the status is what it is, in English'),
  reasonCode: z
    .enum(['not_started', 'no_actuals', 'nothing_due', 'on_pace', 'behind', 'far_behind'])
    .describe('The reason as a code, for a translation: behind is below the tolerance, far_behind more than twice it'),
  rollup: rollupRuleSchema,
  rolledUp: z.boolean().describe('The figures come from the child goals'),
  childGoalIds: z.array(z.string()),
  lastActualDate: z.string().nullable(),
});
