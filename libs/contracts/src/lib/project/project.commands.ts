import { z } from 'zod';
import { reasonSchema } from '../shared/primitives';
import { projectCharterFieldsSchema, projectCharterSchema, projectOutcomeSchema } from './project.events';

/** POST /projects */
export const openProjectBodySchema = projectCharterSchema.strict();
/** POST /projects/{id}/charter-amendments */
export const amendProjectCharterBodySchema = z
  .object({
    // Only the fields named change: the schema without the charter's defaults.
    changes: projectCharterFieldsSchema.partial().strict(),
    reason: reasonSchema,
  })
  .strict();
/** POST /projects/{id}/closure */
export const closeProjectBodySchema = z.object({ reason: reasonSchema, outcome: projectOutcomeSchema.optional() }).strict();

/** GET /projects?limit=&after= */
export const listProjectsQuerySchema = z
  .object({
    limit: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(1, 'must be from 1 to 100')
      .max(100, 'must be from 1 to 100')
      .default(20),
    after: z
      .string()
      .regex(/^\d{20}-\d{20}$/, 'must be the `next` value of a previous page')
      .optional(),
  })
  .strict();
