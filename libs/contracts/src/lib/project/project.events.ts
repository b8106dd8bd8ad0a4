import { z } from 'zod';
import { currencySchema, idSchema, isoDateSchema, longTextSchema, nameSchema, reasonSchema, timeZoneSchema } from '../shared/primitives';

/** What the project does with a goal that fails the SMART check. */
export const smartPolicySchema = z.object({
  onFailure: z.enum(['refuse', 'warn']),
  /** A target above baseline × this multiple is flagged as not achievable. */
  achievableMultiple: z.number().positive().max(1000),
});
export type SmartPolicy = z.infer<typeof smartPolicySchema>;
export const DEFAULT_SMART_POLICY: SmartPolicy = { onFailure: 'warn', achievableMultiple: 3 };

/** The charter's fields with no defaults: what an amendment names, and only that, changes. */
export const projectCharterFieldsSchema = z.object({
  name: nameSchema,
  managerId: idSchema,
  periodStart: isoDateSchema,
  periodEnd: isoDateSchema,
  currency: currencySchema,
  timeZone: timeZoneSchema,
  description: longTextSchema,
  smartPolicy: smartPolicySchema,
});
export const projectCharterSchema = projectCharterFieldsSchema.extend({
  description: longTextSchema.default(''),
  smartPolicy: smartPolicySchema.default(DEFAULT_SMART_POLICY),
});
export type ProjectCharter = z.infer<typeof projectCharterSchema>;

export const projectOpenedSchema = projectCharterSchema.extend({ projectId: idSchema });
export const projectCharterAmendedSchema = z.object({
  projectId: idSchema,
  // No defaults here: a field the amendment did not name must not come back as "" on replay.
  before: projectCharterFieldsSchema.partial(),
  after: projectCharterFieldsSchema.partial(),
  reason: reasonSchema,
});
export const PROJECT_OUTCOMES = ['achieved', 'partially_achieved', 'missed', 'cancelled'] as const;
export const projectOutcomeSchema = z.enum(PROJECT_OUTCOMES, { error: `must be one of ${PROJECT_OUTCOMES.join(', ')}` });
export type ProjectOutcome = z.infer<typeof projectOutcomeSchema>;
/** `outcome` came with the wrap-up; projects closed before it carry none. */
export const projectClosedSchema = z.object({ projectId: idSchema, reason: reasonSchema, outcome: projectOutcomeSchema.optional() });

export type ProjectOpened = { type: 'ProjectOpened'; data: z.infer<typeof projectOpenedSchema> };
export type ProjectCharterAmended = { type: 'ProjectCharterAmended'; data: z.infer<typeof projectCharterAmendedSchema> };
export type ProjectClosed = { type: 'ProjectClosed'; data: z.infer<typeof projectClosedSchema> };
export type ProjectEvent = ProjectOpened | ProjectCharterAmended | ProjectClosed;

export const projectEventSchemas = {
  ProjectOpened: projectOpenedSchema,
  ProjectCharterAmended: projectCharterAmendedSchema,
  ProjectClosed: projectClosedSchema,
} as const;
