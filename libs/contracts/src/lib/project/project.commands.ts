import { z } from 'zod';
import { reasonSchema } from '../shared/primitives';
import { projectCharterSchema } from './project.events';

/** POST /projects */
export const openProjectBodySchema = projectCharterSchema.strict();
/** POST /projects/{id}/charter-amendments */
export const amendProjectCharterBodySchema = z.object({ changes: projectCharterSchema.partial().strict(), reason: reasonSchema }).strict();
/** POST /projects/{id}/closure */
export const closeProjectBodySchema = z.object({ reason: reasonSchema }).strict();
